import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_choosing_spanish_is_saved_on_the_person_and_used_on_every_page(client_for, agent):
    client = client_for("agent")
    response = client.post("/language/", {"language": "es", "next": "/accounts/profile/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    agent.refresh_from_db()
    assert agent.language == "es"
    fresh = Client()
    fresh.force_login(agent)  # a new browser, no cookie: the saved choice still applies
    html = fresh.get("/").content.decode()
    assert "Inicio" in html and 'lang="es"' in html


def test_the_sign_in_page_follows_the_language_cookie_for_visitors():
    client = Client()
    client.post("/language/", {"language": "es", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert "Iniciar sesión" in html


def test_an_unknown_language_is_refused_and_nothing_changes(client_for, agent):
    response = client_for("agent").post("/language/", {"language": "xx", "next": "/"}, follow=True)
    agent.refresh_from_db()
    assert agent.language == "en"
    assert "Unknown language." in response.content.decode()


def test_the_language_switch_never_redirects_off_site(client_for):
    response = client_for("agent").post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_choosing_galician_is_saved_and_every_page_follows_it(client_for, agent):
    response = client_for("agent").post("/language/", {"language": "gl", "next": "/accounts/profile/"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.language == "gl"
    fresh = Client()
    fresh.force_login(agent)
    html = fresh.get("/accounts/profile/").content.decode()
    assert 'lang="gl"' in html and "O teu perfil" in html and "Pechar sesión" in html
    assert '<option value="gl" selected>galego</option>' in html


def test_the_api_describes_one_language_set_for_people_and_notes_and_reports_galician(client_for, agent):
    agent.language = "gl"
    agent.save(update_fields=["language"])
    client = client_for("agent")
    assert client.get("/api/v1/me/").json()["language"] == "gl"
    schemas = client.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert schemas["LanguageEnum"]["enum"] == ["en", "es", "gl"]
    assert "InterfaceLanguageEnum" not in schemas and "NoteLanguageEnum" not in schemas


def test_an_api_call_with_a_token_is_answered_in_the_persons_language(agent, hq):
    from rest_framework.authtoken.models import Token

    from insights.questions import services as questions

    agent.language = "es"
    agent.save(update_fields=["language"])
    question = questions.ask_question(by=hq, text="Will you open on Saturdays?")
    questions.close_question(question=question, by=hq)
    token = Token.objects.create(user=agent)
    refused = Client().post(
        f"/api/v1/questions/{question.pk}/heard/",
        {"channel": "phone"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert refused.status_code == 400
    assert refused.json() == {"detail": "Esta pregunta está cerrada; ya no cuenta."}
    assert refused["Content-Language"] == "es"
