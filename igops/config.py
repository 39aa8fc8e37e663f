"""Settings: where the API is and which token to use, from flags and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from igops.api import DEFAULT_BASE_URL, Secret

TOKEN_ENV = "INTELLIGEMS_API_TOKEN"
API_URL_ENV = "IGOPS_API_URL"
SANDBOX_SCHEME = "sandbox:"
SANDBOX_DEFAULT_TOKEN = "sandbox-token"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    api_url: str
    token: Secret

    @property
    def uses_sandbox(self) -> bool:
        return self.api_url.startswith(SANDBOX_SCHEME)

    @classmethod
    def resolve(
        cls,
        api: str | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        configured_url: str = DEFAULT_BASE_URL,
        token_env: str = TOKEN_ENV,
    ) -> Settings:
        """The flag first, then the environment, then igops.yaml (`configured_url`, `token_env`)."""
        env = os.environ if environ is None else environ
        api_url = (api or env.get(API_URL_ENV) or configured_url).strip()
        if not api_url.startswith((SANDBOX_SCHEME, "http://", "https://")):
            raise ConfigError(
                f"The API URL {api_url!r} is not an http(s) URL or 'sandbox:[STATE_FILE]': "
                f"fix --api or {API_URL_ENV}."
            )
        token = env.get(token_env, "").strip()
        if not token:
            if not api_url.startswith(SANDBOX_SCHEME):
                raise ConfigError(
                    f"{token_env} is not set: export your Intelligems API key in it, "
                    "or use --api sandbox: to work against the built-in emulator."
                )
            token = SANDBOX_DEFAULT_TOKEN
        return cls(api_url=api_url, token=Secret(token))
