"""Who may do what, without Streamlit: password hashes, the access configuration, login throttling.

The app's UI glue (``pilotage_qualite/ui/access.py``) reads ``.streamlit/secrets.toml`` and the
session; everything that can be decided from plain values lives here so it is tested directly.

Three modes (product.md, Access):

- **local**: no ``[acces]`` nor ``[auth]`` section and the server listens on this machine only:
  whoever opens the app is « qualité » (the banner says « mode local »);
- **mot_de_passe**: ``[acces] mot_de_passe_qualite`` holds a scrypt (or argon2) hash; an optional
  ``mot_de_passe_lecture`` protects reading too;
- **oidc**: ``[auth]`` is configured for ``st.login``; ``[acces] comptes_qualite`` lists the
  accounts (e-mail addresses) with the qualité role, every other logged-in account reads.

An app listening beyond this machine, or reached through a reverse proxy, with no access
configured gives everyone the lecture role only (mode « non_protege »): nobody can write
through an unprotected network address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Mapping

QUALITY = "qualité"
READER = "lecture"

LOCAL, PASSWORD, OIDC, UNPROTECTED = "local", "mot_de_passe", "oidc", "non_protege"
LOOPBACK_ADDRESSES = {"127.0.0.1", "localhost", "::1"}
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host")

# scrypt cost: 2**15 × 8 × 128 bytes = 32 MiB and ~0.1 s per check on the reference machine.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
SCRYPT_MAX_N = 2 ** 20  # a hash string asking for more would let the secrets file exhaust memory
SCRYPT_PREFIX = "scrypt$"
ARGON2_PREFIX = "$argon2"


class AccessConfigError(ValueError):
    """The access settings in secrets.toml are wrong; the message is French and names the field."""


# --- password hashes ----------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=256 * r * n + 1024 * 1024)


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P,
                  salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64): salt and cost travel with the hash."""
    if not password:
        raise ValueError("Le mot de passe est vide.")
    salt = salt if salt is not None else secrets.token_bytes(16)
    derived = _scrypt(password, salt, n, r, p, 32)
    return f"{SCRYPT_PREFIX}{n}${r}${p}${_b64(salt)}${_b64(derived)}"


def _parse_scrypt(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise AccessConfigError("empreinte scrypt mal formée (attendu : scrypt$N$r$p$sel$empreinte)")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, derived = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        raise AccessConfigError("empreinte scrypt mal formée (paramètres ou base64 illisibles)") from None
    if n < 2 or n & (n - 1) or n > SCRYPT_MAX_N or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise AccessConfigError(f"paramètres scrypt hors limites (N={n}, r={r}, p={p})")
    if len(salt) < 8 or len(derived) < 16:
        raise AccessConfigError("empreinte scrypt trop courte (sel ou empreinte)")
    return n, r, p, salt, derived


def check_hash_format(encoded: str) -> None:
    """Raise AccessConfigError unless `encoded` is a hash this module can verify."""
    if not isinstance(encoded, str):
        raise AccessConfigError("l'empreinte doit être une chaîne de caractères")
    if encoded.startswith(SCRYPT_PREFIX):
        _parse_scrypt(encoded)
    elif encoded.startswith(ARGON2_PREFIX):
        _argon2_hasher()
    else:
        raise AccessConfigError(
            "ce n'est pas une empreinte scrypt ou argon2 (un mot de passe en clair n'est jamais accepté : "
            "obtenez l'empreinte par la commande « python -m pilotage_qualite motdepasse »)")


def _argon2_hasher():
    try:
        from argon2 import PasswordHasher  # optional: only for hashes made elsewhere with argon2-cffi
    except ImportError:
        raise AccessConfigError("empreinte argon2 : le paquet argon2-cffi n'est pas installé "
                                "(utilisez plutôt une empreinte scrypt : commande « motdepasse »)") from None
    return PasswordHasher()


def verify_password(password: str, encoded: str) -> bool:
    """Whether `password` matches `encoded`; the comparison takes constant time."""
    if encoded.startswith(ARGON2_PREFIX):
        hasher = _argon2_hasher()
        try:
            return bool(hasher.verify(encoded, password))
        except Exception:  # noqa: BLE001 - argon2 raises VerifyMismatchError and friends
            return False
    n, r, p, salt, expected = _parse_scrypt(encoded)
    derived = _scrypt(password or "", salt, n, r, p, len(expected))
    return hmac.compare_digest(derived, expected)


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessConfig:
    mode: str
    quality_hash: str | None = None
    reader_hash: str | None = None
    quality_accounts: frozenset[str] = frozenset()
    reader_accounts: frozenset[str] | None = None  # None: every logged-in account may read
    provider: str | None = None  # st.login provider, None for the default [auth] section

    @property
    def reading_needs_login(self) -> bool:
        return self.mode == OIDC or (self.mode == PASSWORD and self.reader_hash is not None)


def _accounts(value, field_name: str) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        raise AccessConfigError(f"[acces] {field_name} : attendu une liste d'adresses, "
                                f"par exemple {field_name} = [\"prenom.nom@structure.fr\"]")
    return frozenset(v.strip().lower() for v in value)


def parse_access_config(secrets_: Mapping, server_address: str | None, *, proxied: bool = False) -> AccessConfig:
    """The access mode from the secrets (as a plain dict) and the address the server listens on.

    `proxied`: the request came through a reverse proxy (X-Forwarded-For…): the server may listen
    on 127.0.0.1 and still serve the whole network, so local mode is not granted.
    """
    section = secrets_.get("acces") or {}
    if not isinstance(section, Mapping):
        raise AccessConfigError("[acces] doit être une section de secrets.toml")
    known = {"mot_de_passe_qualite", "mot_de_passe_lecture", "comptes_qualite", "comptes_lecture", "fournisseur"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise AccessConfigError(f"[acces] : réglage(s) inconnu(s) : {', '.join(unknown)} "
                                f"(réglages possibles : {', '.join(sorted(known))})")
    auth = secrets_.get("auth")
    if auth:
        if "comptes_qualite" not in section:
            raise AccessConfigError("[auth] est configuré : indiquez dans [acces] comptes_qualite la liste des "
                                    "comptes qui ont le rôle qualité")
        provider = section.get("fournisseur")
        if provider is not None and (not isinstance(provider, str) or provider not in auth):
            raise AccessConfigError(f"[acces] fournisseur = « {provider} » : aucune section [auth.{provider}]")
        readers = section.get("comptes_lecture")
        return AccessConfig(OIDC, quality_accounts=_accounts(section["comptes_qualite"], "comptes_qualite"),
                            reader_accounts=None if readers is None else _accounts(readers, "comptes_lecture"),
                            provider=provider)
    quality_hash = section.get("mot_de_passe_qualite")
    reader_hash = section.get("mot_de_passe_lecture")
    if quality_hash is None:
        if reader_hash is not None or "comptes_qualite" in section:
            raise AccessConfigError("[acces] : mot_de_passe_qualite est obligatoire (ou configurez [auth] pour "
                                    "une connexion OpenID Connect)")
        address = (server_address or "").strip()
        return AccessConfig(LOCAL if address in LOOPBACK_ADDRESSES and not proxied else UNPROTECTED)
    for name, value in (("mot_de_passe_qualite", quality_hash), ("mot_de_passe_lecture", reader_hash)):
        if value is not None:
            try:
                check_hash_format(value)
            except AccessConfigError as exc:
                raise AccessConfigError(f"[acces] {name} : {exc}") from None
    return AccessConfig(PASSWORD, quality_hash=quality_hash, reader_hash=reader_hash)


def role_for_password(config: AccessConfig, password: str) -> str | None:
    """The role a password opens (qualité first), or None. Both hashes are always checked, so
    the time taken does not tell which one matched."""
    quality = verify_password(password, config.quality_hash) if config.quality_hash else False
    reader = verify_password(password, config.reader_hash) if config.reader_hash else False
    return QUALITY if quality else READER if reader else None


def role_for_account(config: AccessConfig, email: str | None) -> str | None:
    """The role of an OpenID Connect account: qualité if listed, else lecture (or None when
    reading is restricted to listed accounts)."""
    address = (email or "").strip().lower()
    if not address:
        return None
    if address in config.quality_accounts:
        return QUALITY
    if config.reader_accounts is None or address in config.reader_accounts:
        return READER
    return None


# --- failed logins ------------------------------------------------------------------------------


@dataclass
class _Failures:
    times: deque = field(default_factory=deque)


class LoginThrottle:
    """Failed logins slow down further tries, per session and for the whole server.

    After `free` failures within `window` seconds, each new try waits `base` × 2^(extra
    failures) seconds after the last failure, capped at `cap`. The global counter (every
    session together, since opening a new session is free) allows `global_free` failures.
    In-process state; `clock` is injectable for tests.
    """

    def __init__(self, *, free: int = 5, global_free: int = 20, base: float = 2.0, cap: float = 300.0,
                 global_cap: float = 60.0, window: float = 900.0, clock: Callable[[], float] = time.monotonic):
        self.free, self.global_free = free, global_free
        self.base, self.cap, self.global_cap, self.window = base, cap, global_cap, window
        self.clock = clock
        self._by_key: dict[str, _Failures] = {}
        self._all = _Failures()
        self._lock = threading.Lock()

    def _prune(self, failures: _Failures, now: float) -> None:
        while failures.times and failures.times[0] <= now - self.window:
            failures.times.popleft()

    def _wait(self, failures: _Failures, free: int, cap: float, now: float) -> float:
        self._prune(failures, now)
        extra = len(failures.times) - free
        if extra < 0:
            return 0.0
        delay = min(self.base * 2 ** extra, cap)
        return max(0.0, failures.times[-1] + delay - now)

    def wait_seconds(self, key: str) -> float:
        """Seconds before `key` may try again (0: now)."""
        with self._lock:
            now = self.clock()
            own = self._by_key.get(key)
            return max(self._wait(own, self.free, self.cap, now) if own else 0.0,
                       self._wait(self._all, self.global_free, self.global_cap, now))

    def failure(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            self._by_key.setdefault(key, _Failures()).times.append(now)
            self._all.times.append(now)
            self._prune(self._all, now)
            if len(self._by_key) > 10_000:  # forget idle sessions rather than grow without bound
                for stale in [k for k, f in self._by_key.items() if not f.times or f.times[-1] <= now - self.window]:
                    del self._by_key[stale]

    def success(self, key: str) -> None:
        with self._lock:
            self._by_key.pop(key, None)
