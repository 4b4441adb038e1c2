"""Who may do what: the single place that knows the user's role.

Two roles (product.md, Access): « lecture » sees everything, « qualité » may also import,
undo, change targets, add indicators, write comments and record committee decisions. The mode
(local, password, OpenID Connect) comes from ``.streamlit/secrets.toml`` and the address the
server listens on (``pilotage_qualite/model/access.py`` decides, without Streamlit). Every write
path of the app calls :func:`require_quality_role` on the server side, whatever the page showed.
"""

from __future__ import annotations

import hashlib
import math
import secrets

import streamlit as st

from pilotage_qualite.model import access as rules
from pilotage_qualite.model.access import QUALITY, READER, AccessConfig, AccessConfigError

LOCAL_USER = "qualité (local)"
PASSWORD_USER = "qualité (mot de passe)"
_ROLE_KEY = "acces_role"  # (role, fingerprint of the hash that opened it): never a widget key
_NAME_KEY = "acces_nom"
_SESSION_KEY = "acces_session"  # random id of this session, for the login throttle
_FORM_KEY = "acces_connexion"
_RUN_CONFIG = "acces_reglages_du_passage"  # this run's reading of the settings (an AccessConfigError if wrong)

__all__ = ["QUALITY", "READER", "AccessDenied", "can_write", "current_role", "current_user", "gate",
           "require_quality_role", "sidebar_status"]


class AccessDenied(PermissionError):
    """A write was attempted without the qualité role; the message is French."""


def _secrets() -> dict:
    """The secrets as a plain dict ({} when there is no secrets.toml)."""
    if not st.secrets.load_if_toml_exists():
        return {}
    return st.secrets.to_dict()


def _through_a_proxy() -> bool:
    """Whether this session's request came through a reverse proxy (never local mode then)."""
    try:
        headers = {name.lower() for name in (st.context.headers or {}).keys()}
    except Exception:  # noqa: BLE001 - no request headers (bare run): not proxied
        return False
    return any(name in headers for name in rules.PROXY_HEADERS)


def config() -> AccessConfig:
    """The access mode, read once per run (anew by :func:`gate` at the run's start: a changed
    secrets.toml applies at the next click). A page asks for it five to seven times, and each
    reading looks for the secrets files and the request's headers again (about 1 ms each)."""
    found = st.session_state.get(_RUN_CONFIG)
    if found is None:
        try:
            found = rules.parse_access_config(_secrets(), st.get_option("server.address"), proxied=_through_a_proxy())
        except AccessConfigError as exc:
            found = exc
        st.session_state[_RUN_CONFIG] = found
    if isinstance(found, AccessConfigError):
        raise found
    return found


@st.cache_resource(show_spinner=False)
def _throttle() -> rules.LoginThrottle:
    """One throttle for the server process: failures of every session count globally."""
    return rules.LoginThrottle()


def _fingerprint(encoded: str | None) -> str:
    return hashlib.sha256((encoded or "").encode()).hexdigest()[:16]


def _password_role(current: AccessConfig) -> str | None:
    held = st.session_state.get(_ROLE_KEY)
    if held:
        role, fingerprint = held
        # A role opened by a hash that is no longer configured (password changed) is dropped.
        opened_by = current.quality_hash if role == QUALITY else current.reader_hash
        if opened_by is not None and fingerprint == _fingerprint(opened_by):
            return role
        st.session_state.pop(_ROLE_KEY, None)
    return None if current.reader_hash else READER


def _account() -> str | None:
    user = st.user
    if not user.get("is_logged_in"):
        return None
    return user.get("email") or None


def current_role() -> str | None:
    """« qualité », « lecture », or None when this session must log in first (or the access
    settings are wrong: nobody gets in until they are fixed)."""
    try:
        current = config()
    except AccessConfigError:
        return None
    if current.mode == rules.LOCAL:
        return QUALITY
    if current.mode == rules.UNPROTECTED:
        return READER
    if current.mode == rules.PASSWORD:
        return _password_role(current)
    return rules.role_for_account(current, _account())


def current_user() -> str:
    """The name written in the journal and under comments."""
    try:
        mode = config().mode
    except AccessConfigError:
        return READER
    if mode == rules.LOCAL:
        return LOCAL_USER
    if mode == rules.OIDC:
        return _account() or READER
    if mode == rules.PASSWORD and current_role() == QUALITY:
        name = st.session_state.get(_NAME_KEY)
        return f"{name} (mot de passe qualité)" if name else PASSWORD_USER
    return READER


def can_write() -> bool:
    """Whether the page should offer write actions (the check itself is :func:`require_quality_role`)."""
    return current_role() == QUALITY


def require_quality_role() -> str:
    """Refuse the write unless the session has the qualité role; returns the user name to record."""
    if current_role() != QUALITY:
        raise AccessDenied("Cette action est réservée au rôle qualité : rien n'a été modifié.")
    return current_user()


# --- login and logout --------------------------------------------------------------------------


def _session_key() -> str:
    return st.session_state.setdefault(_SESSION_KEY, secrets.token_hex(12))


def _password_form(current: AccessConfig, *, title: str) -> None:
    """The French login form; failed tries are throttled per session and for the whole server."""
    with st.form(_FORM_KEY, clear_on_submit=True):
        st.markdown(f"**{title}**")
        name = st.text_input("Votre nom (inscrit au journal)", key="acces_nom_saisi", max_chars=80)
        password = st.text_input("Mot de passe", type="password", key="acces_mot_de_passe", max_chars=256)
        submitted = st.form_submit_button("Se connecter", icon=":material/login:")
    if not submitted:
        return
    throttle, key = _throttle(), _session_key()
    wait = throttle.wait_seconds(key)
    if wait > 0:
        st.error(f"Trop d'essais infructueux : réessayez dans {math.ceil(wait)} s.", icon=":material/timer:")
        return
    role = rules.role_for_password(current, password or "")
    if role is None:
        throttle.failure(key)
        st.error("Mot de passe incorrect.", icon=":material/lock:")
        return
    throttle.success(key)
    opened_by = current.quality_hash if role == QUALITY else current.reader_hash
    st.session_state[_ROLE_KEY] = (role, _fingerprint(opened_by))
    st.session_state[_NAME_KEY] = " ".join((name or "").split())[:80] or None
    st.rerun()


def _log_out() -> None:
    st.session_state.pop(_ROLE_KEY, None)
    st.session_state.pop(_NAME_KEY, None)


def gate() -> bool:
    """Show the login page when this session may not read yet; True when pages may be shown.
    Called by the router at the start of every run: the access settings are read anew."""
    st.session_state.pop(_RUN_CONFIG, None)
    try:
        current = config()
    except AccessConfigError as exc:
        st.error(f"Réglages d'accès incorrects dans .streamlit/secrets.toml : {exc}. L'application reste fermée "
                 "tant qu'ils ne sont pas corrigés (voir le README, « Déploiement partagé »).", icon=":material/lock:")
        return False
    if current_role() is not None:
        return True
    st.title("Pilotage qualité")
    if current.mode == rules.PASSWORD:
        _password_form(current, title="Connexion : saisissez le mot de passe de lecture ou celui du rôle qualité")
    elif _account() is None:
        st.markdown("Connectez-vous avec le compte de votre structure pour consulter les indicateurs.")
        st.button("Se connecter", icon=":material/login:", type="primary", on_click=st.login,
                  args=(current.provider,) if current.provider else ())
    else:
        st.warning(f"Le compte « {_account()} » n'a pas accès à cette application. Demandez à la ou au "
                   "référent qualité de l'ajouter, ou connectez-vous avec un autre compte.")
        st.button("Se déconnecter", icon=":material/logout:", on_click=st.logout)
    return False


def sidebar_status() -> None:
    """The mode and the role in the sidebar, with the login (to become qualité) and logout controls."""
    try:
        current = config()
    except AccessConfigError:
        return
    role = current_role()
    if current.mode == rules.LOCAL:
        st.caption(":material/lock: Mode local : application accessible depuis ce poste uniquement.")
    elif current.mode == rules.UNPROTECTED:
        st.warning("Application accessible sur le réseau sans mot de passe : lecture seule. Configurez l'accès "
                   "(README, « Déploiement partagé »).", icon=":material/lock_open:")
    elif role == QUALITY or (current.mode == rules.OIDC and role is not None):
        st.caption(f":material/person: {current_user()} · rôle {role}")
        if current.mode == rules.OIDC:
            st.button("Se déconnecter", icon=":material/logout:", key="acces_deconnexion", on_click=st.logout)
        else:
            st.button("Se déconnecter", icon=":material/logout:", key="acces_deconnexion", on_click=_log_out)
    else:
        st.caption(":material/visibility: Rôle lecture.")
        with st.expander("Connexion au rôle qualité", icon=":material/login:"):
            _password_form(current, title="Mot de passe du rôle qualité")
        if current.reader_hash:
            st.button("Se déconnecter", icon=":material/logout:", key="acces_deconnexion", on_click=_log_out)
