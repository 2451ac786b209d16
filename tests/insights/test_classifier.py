"""Assignment to curated themes: a classifier fitted after curation, constant cost per note."""

from __future__ import annotations

import numpy as np
import pytest

from insights import classifier, classifier_store, figures, services, tasks
from insights.models import Assignment, Theme, ThemeChange, ThemeClassifier
from tests.factories import ThemeFactory
from tests.insights.test_clustering import blobs
from tests.insights.test_services import theme_with


def test_the_classifier_follows_the_themes_and_is_unsure_far_from_all():
    matrix, truth = blobs(3, 20)
    theme_ids = np.array([10 + int(t[1:]) for t in truth])
    fitted = classifier.fit(matrix, theme_ids)
    themes, confidence = classifier.assign(fitted, matrix[[0, 25, 45]])
    assert themes.tolist() == [10, 11, 12] and (confidence > 0.8).all()
    stranger = classifier._normalise(np.random.default_rng(9).normal(size=(1, matrix.shape[1])))
    _, low = classifier.assign(fitted, stranger)
    assert low[0] < 0.3


@pytest.mark.parametrize("count", [1, 2])
def test_with_one_or_two_themes_a_note_unlike_them_is_not_confidently_assigned(count):
    matrix, truth = blobs(count, 10, dims=16)
    fitted = classifier.fit(matrix, np.array([int(t[1:]) for t in truth]))
    stranger = np.zeros((1, 16), dtype=np.float32)
    stranger[0, 0] = 1.0
    stranger -= (stranger @ fitted.centres.T) @ fitted.centres  # orthogonal to every theme's centre
    _, confidence = classifier.assign(fitted, classifier._normalise(stranger))
    _, own = classifier.assign(fitted, matrix[:1])
    assert confidence[0] < 0.1 and own[0] > 0.7


def test_the_fit_reads_at_most_the_most_recent_examples_of_each_theme():
    theme_ids = np.array([1, 2, 1, 1, 2, 1])
    assert classifier.bounded(theme_ids, per_theme=2).tolist() == [1, 3, 4, 5]


@pytest.mark.django_db
def test_assigning_a_note_never_reads_the_examples_and_costs_the_same_queries_however_many(
    make_note, monkeypatch, django_assert_num_queries
):
    cards = theme_with(make_note, "Cards", axis=0, count=3)
    theme_with(make_note, "App", axis=1, count=3)
    classifier_store.refit()
    classifier_store.current()  # a worker loads each new classifier once
    monkeypatch.setattr(figures, "labelled_examples", lambda **kw: pytest.fail("read the examples"))
    first = make_note("card again", axis=0)
    # the note's vector, the classifier's version, which themes are still accepted, the insert
    with django_assert_num_queries(4) as small:
        assert services.assign_notes(note_ids=[first.pk]) == 1
    for i in range(40):
        Assignment.objects.create(note=make_note(f"more cards {i}", axis=0), theme=cards, method="person")
    second = make_note("card once more", axis=0)
    with django_assert_num_queries(len(small.captured_queries)):
        assert services.assign_notes(note_ids=[second.pk]) == 1


@pytest.mark.django_db
def test_each_process_loads_a_new_classifier_once_and_uses_the_newest(make_note):
    theme_with(make_note, "Cards", axis=0, count=3)
    theme_with(make_note, "App", axis=1, count=3)
    first = classifier_store.current()
    assert classifier_store.current() is first  # loaded once per version
    late = theme_with(make_note, "Late", axis=2, count=3)
    assert late.pk not in first.theme_ids
    classifier_store.refit()
    assert late.pk in classifier_store.current().theme_ids
    for _ in range(5):
        classifier_store.refit()
    assert ThemeClassifier.objects.count() == classifier_store.KEEP


@pytest.mark.django_db
def test_curation_asks_for_a_refit_after_commit_and_an_archived_theme_takes_no_more_notes(
    make_note, lead, monkeypatch, django_capture_on_commit_callbacks
):
    asked = []
    monkeypatch.setattr(tasks.refit_classifier, "delay", lambda **kwargs: asked.append(kwargs))
    cards = theme_with(make_note, "Cards", axis=0, count=3)
    theme_with(make_note, "App", axis=1, count=3)
    classifier_store.refit()
    with django_capture_on_commit_callbacks(execute=True):
        services.archive_theme(theme=cards, by=lead)
    assert asked == [{"after_change": ThemeChange.objects.latest("id").pk}]
    note = make_note("card again", axis=0)  # the classifier still knows Cards until the refit runs
    assert services.assign_notes(note_ids=[note.pk]) == 0 and Theme.objects.get(pk=cards.pk).status == "archived"


@pytest.mark.django_db
def test_the_refit_task_is_safe_to_run_twice(make_note):
    theme_with(make_note, "Cards", axis=0, count=3)
    theme_with(make_note, "App", axis=1, count=3)
    assert tasks.refit_classifier() == tasks.refit_classifier() == 2
    first, second = ThemeClassifier.objects.order_by("id")
    assert bytes(first.weights) == bytes(second.weights)


@pytest.mark.django_db
def test_a_burst_of_curation_steps_is_fitted_once_and_a_later_step_fits_again(make_note, lead):
    cards = theme_with(make_note, "Cards", axis=0, count=3)
    app = theme_with(make_note, "App", axis=1, count=3)
    fees = theme_with(make_note, "Fees", axis=2, count=3)
    services.archive_theme(theme=cards, by=lead)  # each step asks for a refit after commit
    services.archive_theme(theme=fees, by=lead)
    asked = list(ThemeChange.objects.order_by("id").values_list("id", flat=True))
    for change in asked:  # the worker runs the queued refits in turn
        tasks.refit_classifier(after_change=change)
    assert ThemeClassifier.objects.count() == 1  # the first fit came after every step
    assert ThemeClassifier.objects.get().after_change == max(asked)
    assert classifier_store.current().theme_ids.tolist() == [app.pk]
    services.archive_theme(theme=app, by=lead)
    tasks.refit_classifier(after_change=ThemeChange.objects.latest("id").pk)
    assert ThemeClassifier.objects.count() == 2 and len(classifier_store.current().theme_ids) == 0


@pytest.mark.django_db
def test_related_themes_come_from_the_classifiers_centres(make_note):
    cards = theme_with(make_note, "Cards", axis=0, count=3)
    assert figures.related_themes(theme=cards) == []  # no classifier yet: a page never fits one
    theme_with(make_note, "App", axis=1, count=3)
    near = ThemeFactory(name="Card fees")
    for i in range(3):
        Assignment.objects.create(note=make_note(f"fee {i}", axis=0, noise=0.5), theme=near, method="person")
    classifier_store.refit()
    (closest, _score), *_others = figures.related_themes(theme=cards)
    assert closest.name == "Card fees"
