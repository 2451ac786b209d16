import pytest

from voc.notes.similarity import terms


@pytest.mark.parametrize(
    "one, other",
    [
        ("crashing", "crashes"),
        ("crashed", "crash"),
        ("arrived", "arrive"),
        ("integrates", "integrated"),
        ("replies", "reply"),
        ("transferred", "transfer"),
        ("log in", "login"),
        ("logging into", "login"),
        ("cuotas", "cuota"),
    ],
)
def test_inflections_meet(one, other):
    assert terms(one) == terms(other) != set()


def test_short_and_doubled_words_keep_their_meaning():
    assert terms("need speed address business") == {"need", "speed", "address", "business"}
