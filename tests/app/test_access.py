"""Roles: password hashes, the access configuration, login throttling, and the app refusing writes
to the lecture role on the server side (AppTest with secrets, as `.streamlit/secrets.toml` gives them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import needs_chromium
from streamlit.testing.v1 import AppTest
from test_data_pages import go, no_exception, plain

from pilotage_qualite import cli
from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model import access as rules
from pilotage_qualite.model.access import (
    QUALITY,
    READER,
    AccessConfigError,
    LoginThrottle,
    hash_password,
    parse_access_config,
    role_for_account,
    role_for_password,
    verify_password,
)
from pilotage_qualite.startup import open_store

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120
FAST = {"n": 2 ** 10, "r": 8, "p": 1}  # cheap hashes for page tests; the format is the same
QUALITY_PASSWORD, READER_PASSWORD = "qualite-Lyon-2026", "lecture-Lyon-2026"
QUALITY_HASH, READER_HASH = hash_password(QUALITY_PASSWORD, **FAST), hash_password(READER_PASSWORD, **FAST)


# --- hashes ---------------------------------------------------------------------------------------


def test_a_hash_verifies_its_password_only():
    encoded = hash_password("correct horse battery")  # the default cost, as the command makes it
    assert encoded.startswith(f"scrypt${rules.SCRYPT_N}$8$1$")
    assert verify_password("correct horse battery", encoded)
    assert not verify_password("correct horse batterY", encoded)
    assert not verify_password("", encoded)


def test_each_hash_has_its_own_salt_and_tampering_fails():
    first, second = hash_password("même mot de passe", **FAST), hash_password("même mot de passe", **FAST)
    assert first != second and verify_password("même mot de passe", second)
    head, digest = first.rsplit("$", 1)
    flipped = head + "$" + ("A" if digest[0] != "A" else "B") + digest[1:]
    assert not verify_password("même mot de passe", flipped)


@pytest.mark.parametrize("encoded, message", [
    ("motdepasse-en-clair", "mot de passe en clair n'est jamais accepté"),
    ("scrypt$1024$8$1$c2Vs", "mal formée"),
    ("scrypt$1000$8$1$c2Vsc2Vsc2Vs$ZGlnZXN0ZGlnZXN0ZGlnZXN0", "hors limites"),
    (f"scrypt${2 ** 24}$8$1$c2Vsc2Vsc2Vs$ZGlnZXN0ZGlnZXN0ZGlnZXN0", "hors limites"),
])
def test_a_malformed_hash_is_a_french_configuration_error(encoded, message):
    with pytest.raises(AccessConfigError, match=message):
        parse_access_config({"acces": {"mot_de_passe_qualite": encoded}}, "0.0.0.0")


# --- configuration ---------------------------------------------------------------------------------


def test_modes_follow_the_secrets_and_the_listening_address():
    assert parse_access_config({}, "127.0.0.1").mode == rules.LOCAL
    assert parse_access_config({}, "0.0.0.0").mode == rules.UNPROTECTED
    assert parse_access_config({}, None).mode == rules.UNPROTECTED  # Streamlit's default: every interface
    # Behind a reverse proxy on the same machine the server listens on 127.0.0.1 but serves the network.
    assert parse_access_config({}, "127.0.0.1", proxied=True).mode == rules.UNPROTECTED
    password = parse_access_config({"acces": {"mot_de_passe_qualite": QUALITY_HASH}}, "0.0.0.0")
    assert password.mode == rules.PASSWORD and not password.reading_needs_login
    both = parse_access_config({"acces": {"mot_de_passe_qualite": QUALITY_HASH,
                                          "mot_de_passe_lecture": READER_HASH}}, "127.0.0.1")
    assert both.mode == rules.PASSWORD and both.reading_needs_login
    oidc = parse_access_config({"auth": {"client_id": "x"}, "acces": {"comptes_qualite": ["Q@Structure.fr"]}},
                               "0.0.0.0")
    assert oidc.mode == rules.OIDC and oidc.quality_accounts == {"q@structure.fr"}


@pytest.mark.parametrize("secrets_, message", [
    ({"acces": {"mot_de_passe_lecture": READER_HASH}}, "mot_de_passe_qualite est obligatoire"),
    ({"acces": {"mot_de_passe_qualite": QUALITY_HASH, "mot_de_pase": "x"}}, "réglage\\(s\\) inconnu\\(s\\) : mot_de_pase"),
    ({"auth": {"client_id": "x"}}, "comptes_qualite"),
    ({"auth": {"client_id": "x"}, "acces": {"comptes_qualite": [""]}}, "liste d'adresses"),
    ({"auth": {"client_id": "x"}, "acces": {"comptes_qualite": ["a@b.fr"], "fournisseur": "okta"}},
     "aucune section \\[auth.okta\\]"),
])
def test_wrong_access_settings_are_named(secrets_, message):
    with pytest.raises(AccessConfigError, match=message):
        parse_access_config(secrets_, "127.0.0.1")


def test_roles_for_passwords_and_accounts():
    both = parse_access_config({"acces": {"mot_de_passe_qualite": QUALITY_HASH,
                                          "mot_de_passe_lecture": READER_HASH}}, "0.0.0.0")
    assert role_for_password(both, QUALITY_PASSWORD) == QUALITY
    assert role_for_password(both, READER_PASSWORD) == READER
    assert role_for_password(both, "autre") is None
    oidc = parse_access_config({"auth": {"client_id": "x"}, "acces": {"comptes_qualite": ["q@s.fr"],
                                                                      "comptes_lecture": ["l@s.fr"]}}, "0.0.0.0")
    assert role_for_account(oidc, " Q@S.FR ") == QUALITY
    assert role_for_account(oidc, "l@s.fr") == READER
    assert role_for_account(oidc, "intrus@ailleurs.fr") is None and role_for_account(oidc, None) is None


# --- throttling ----------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_logins_of_a_session_wait_longer_and_longer():
    clock = FakeClock()
    throttle = LoginThrottle(free=5, base=2, cap=60, window=900, clock=clock)
    for _ in range(4):
        throttle.failure("s1")
        assert throttle.wait_seconds("s1") == 0
    throttle.failure("s1")  # 5th failure: 2 s before the next try
    assert throttle.wait_seconds("s1") == pytest.approx(2)
    clock.now += 2
    assert throttle.wait_seconds("s1") == 0
    throttle.failure("s1")  # 6th: 4 s, then 8 s…
    assert throttle.wait_seconds("s1") == pytest.approx(4)
    throttle.failure("s1")
    assert throttle.wait_seconds("s1") == pytest.approx(8)
    for _ in range(10):
        throttle.failure("s1")
    assert throttle.wait_seconds("s1") == pytest.approx(60)  # capped
    assert throttle.wait_seconds("s2") == 0  # another session is not held back (under the global allowance)
    clock.now += 901  # failures older than the window are forgotten
    assert throttle.wait_seconds("s1") == 0
    throttle.failure("s1")
    throttle.success("s1")
    assert throttle.wait_seconds("s1") == 0


def test_new_sessions_do_not_escape_the_global_limit():
    clock = FakeClock()
    throttle = LoginThrottle(free=5, global_free=20, base=2, global_cap=30, clock=clock)
    for i in range(20):
        throttle.failure(f"session-{i}")  # one try per fresh session
    assert throttle.wait_seconds("session-neuve") == pytest.approx(2)
    for i in range(20, 30):
        throttle.failure(f"session-{i}")
    assert throttle.wait_seconds("session-neuve") == pytest.approx(30)


# --- the command that prints a hash ----------------------------------------------------------------


def test_the_password_command_prints_a_hash_once_and_never_the_password(monkeypatch, capsys):
    typed = iter(["une phrase de passe", "une phrase de passe"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(typed))
    assert cli.main(["motdepasse"]) == cli.EXIT_OK
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert len(lines) == 1 and verify_password("une phrase de passe", lines[0])
    assert "une phrase de passe" not in out + err and lines[0] not in err
    assert "[acces]" in err


@pytest.mark.parametrize("typed, message", [
    (["une phrase de passe", "une autre phrase"], "les deux saisies diffèrent"),
    (["court", "court"], "trop court"),
])
def test_the_password_command_refuses_a_mismatch_or_a_short_password(monkeypatch, capsys, typed, message):
    answers = iter(typed)
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert cli.main(["motdepasse"]) == cli.EXIT_BAD_INPUT
    out, err = capsys.readouterr()
    assert out == "" and message in err


# --- the app ------------------------------------------------------------------------------------------


def open_app(secrets_: dict | None = None, user: dict | None = None) -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in (secrets_ or {}).items():
        app.secrets[key] = value
    if user is not None:
        app.user = user
    return no_exception(app.run())


def log_in(app: AppTest, password: str, name: str = "") -> AppTest:
    app.text_input(key="acces_nom_saisi").input(name)
    app.text_input(key="acces_mot_de_passe").input(password)
    next(b for b in app.button if b.label == "Se connecter").click()
    return no_exception(app.run())


def all_text(app: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title")
             for e in getattr(app, kind)]
    return plain("\n".join(str(p) for p in parts))


def dashboard_rows(app: AppTest) -> int:
    """How many indicators the dashboard shows: its « Vue d'ensemble »'s rows (the default) or its tiles."""
    return "\n".join(h.proto.body for h in app.get("html")).count("<tr class=") + len(app.metric)


def journal_ids(data_dir: Path) -> list[int]:
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(data_dir)})
    return list(open_store(settings).journal()["id"])


BOTH_PASSWORDS = {"acces": {"mot_de_passe_qualite": QUALITY_HASH, "mot_de_passe_lecture": READER_HASH}}
QUALITY_PASSWORD_ONLY = {"acces": {"mot_de_passe_qualite": QUALITY_HASH}}


def test_a_protected_app_opens_on_a_login_form_and_lets_a_reader_in(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app(BOTH_PASSWORDS)
    assert not dashboard_rows(app) and app.text_input(key="acces_mot_de_passe").proto.type == 1  # PASSWORD
    assert "Connexion" in all_text(app)
    log_in(app, "pas le bon")
    assert "Mot de passe incorrect." in [e.value for e in app.error] and not dashboard_rows(app)
    log_in(app, READER_PASSWORD)
    assert dashboard_rows(app) >= 29  # the dashboard
    assert not any(b.label == "Vider la base de démonstration" for b in app.button)
    assert "Rôle lecture" in all_text(app)


def test_login_is_throttled_after_five_failures(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app(BOTH_PASSWORDS)
    for _ in range(5):
        log_in(app, "devine")
    log_in(app, READER_PASSWORD)  # right password, but too soon: not even checked
    assert any("Trop d'essais infructueux" in e.value for e in app.error) and not dashboard_rows(app)


def test_a_reader_cannot_write_even_by_forcing_the_action(app_env, demo_data_dir):
    app_env(demo_data_dir)
    before = journal_ids(demo_data_dir)
    app = open_app(QUALITY_PASSWORD_ONLY)  # reading open, writing needs the qualité password
    assert dashboard_rows(app) >= 29 and "Rôle lecture" in all_text(app)
    go(app, "app_pages/donnees/importer.py")
    assert "réservé au rôle qualité" in all_text(app) and not app.get("file_uploader")
    app.session_state["import_en_cours"] = ["forcé"]  # a forged confirmation
    no_exception(app.run())
    go(app, "app_pages/donnees/consulter.py")
    assert not any(b.label == "Annuler cet import" for b in app.button)
    app.session_state["annulation_demandee"] = before[-1]  # the undo dialog, forced open
    no_exception(app.run())
    app.button(key="confirmer_annulation").click()
    no_exception(app.run())
    assert any("réservée au rôle qualité" in e.value for e in app.error)
    go(app, "app_pages/donnees/catalogue.py")
    assert not any(b.label == "Enregistrer la cible" for b in app.button)
    assert "Ajouter un indicateur" not in [h.value for h in app.header]
    assert journal_ids(demo_data_dir) == before
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)})
    journal = open_store(settings).journal()
    assert (journal["etat"] == "appliqué").all()


def test_the_quality_password_opens_writing_and_names_the_author(app_env, demo_data_dir):
    app_env(demo_data_dir)
    before = journal_ids(demo_data_dir)
    app = open_app(QUALITY_PASSWORD_ONLY)
    log_in(app, QUALITY_PASSWORD, name="Camille Martin")
    assert "Camille Martin (mot de passe qualité) · rôle qualité" in all_text(app)
    go(app, "app_pages/donnees/consulter.py")
    app.button(key=f"annuler_{before[-1]}").click()
    no_exception(app.run())
    app.button(key="confirmer_annulation").click()
    no_exception(app.run())
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)})
    journal = open_store(settings).journal().set_index("id")
    assert journal.loc[before[-1], "etat"] == "annulé"
    assert journal.loc[before[-1], "annule_par"] == "Camille Martin (mot de passe qualité)"
    next(b for b in app.button if b.label == "Se déconnecter").click()
    no_exception(app.run())
    assert "Rôle lecture" in all_text(app)


def test_server_side_check_follows_the_session_role(app_env, tmp_path):
    """The check every write path calls, run inside a session of each role."""
    app_env(tmp_path)

    def script():
        import streamlit as st

        from pilotage_qualite.ui import access
        try:
            st.write(f"écriture autorisée pour {access.require_quality_role()}")
        except access.AccessDenied as exc:
            st.write(f"refus : {exc}")

    reader = AppTest.from_function(script, default_timeout=TIMEOUT)
    reader.secrets["acces"] = QUALITY_PASSWORD_ONLY["acces"]
    reader.run()
    assert reader.markdown[0].value == "refus : Cette action est réservée au rôle qualité : rien n'a été modifié."
    local = AppTest.from_function(script, default_timeout=TIMEOUT).run()
    assert local.markdown[0].value == "écriture autorisée pour qualité (local)"


OIDC = {"auth": {"redirect_uri": "https://qualite.example.org/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "pilotage", "client_secret": "s",
                 "server_metadata_url": "https://sso.example.org/.well-known/openid-configuration"},
        "acces": {"comptes_qualite": ["referente@structure.fr"]}}


def test_openid_connect_accounts_get_their_role(app_env, demo_data_dir):
    app_env(demo_data_dir)
    anonymous = open_app(OIDC, user={"is_logged_in": False})
    assert not dashboard_rows(anonymous) and any(b.label == "Se connecter" for b in anonymous.button)
    reader = open_app(OIDC, user={"is_logged_in": True, "email": "mediateur@structure.fr"})
    assert dashboard_rows(reader) >= 29
    go(reader, "app_pages/donnees/importer.py")
    assert "réservé au rôle qualité" in all_text(reader)
    quality = open_app(OIDC, user={"is_logged_in": True, "email": "Referente@structure.fr"})
    assert "referente@structure.fr" in all_text(quality).lower() and "rôle qualité" in all_text(quality)
    go(quality, "app_pages/donnees/importer.py")
    assert quality.get("file_uploader")


def test_wrong_access_settings_keep_the_app_closed(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app({"acces": {"mot_de_passe_qualite": "en-clair"}})
    assert not dashboard_rows(app)
    assert any("Réglages d'accès incorrects" in e.value and "mot_de_passe_qualite" in e.value for e in app.error)


@pytest.mark.browser
@pytest.mark.slow
@needs_chromium
def test_a_request_through_a_reverse_proxy_never_gets_local_mode(server, browser):
    """The server listens on 127.0.0.1, but a request forwarded by nginx comes from the network."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080},
                                  extra_http_headers={"X-Forwarded-For": "203.0.113.5"})
    page = context.new_page()
    try:
        page.goto(f"{server}/import")
        page.get_by_text("lecture seule").first.wait_for(timeout=90_000)
        page.get_by_text("L'import est réservé au rôle qualité").wait_for(timeout=90_000)
        assert page.locator('[data-testid="stFileUploader"]').count() == 0
        assert page.get_by_text("Mode local").count() == 0
    finally:
        context.close()
