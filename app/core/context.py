"""The objects a running Parley shares: settings, history, keychain, and endpoint clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.config import Settings, database_path
from app.core.settings_service import SettingsService

if TYPE_CHECKING:
    from app.core.client import ChatClient
    from app.core.endpoints import Endpoint
    from app.core.history import Store
    from app.core.secrets import KeyStore


class AppContext:
    """Built once by a composition root (GUI or CLI); nothing else constructs these."""

    def __init__(
        self, settings: Settings | SettingsService, store: Store, keys: KeyStore | None = None
    ) -> None:
        #: the one owner of the settings: saves them and tells subscribers what changed
        self.settings_service = (
            settings if isinstance(settings, SettingsService) else SettingsService(settings)
        )
        self.store = store
        self._keys = keys
        self._endpoint_clients: dict[str, ChatClient] = {}
        #: a key the user gave while no secure keychain exists: used, never stored
        self.session_key: str | None = None

    def __repr__(self) -> str:
        return f"AppContext({self.settings!r}, {self.store.path})"

    @property
    def settings(self) -> Settings:
        """The settings in use now (owned by `settings_service`)."""
        return self.settings_service.current

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.settings_service.replace(settings)

    @property
    def keys(self) -> KeyStore:
        """The keychain access, created on first use (keyring is slow to import)."""
        if self._keys is None:
            from app.core.secrets import KeyStore

            self._keys = KeyStore()
        return self._keys

    @classmethod
    def open(cls) -> AppContext:
        """Load settings (never failing: see `settings_service.problem`) and open history
        from the data folder; a history that cannot be opened raises StorageError."""
        from app.core.history import Store

        service = SettingsService.load()
        return cls(service, Store.open(database_path()))

    def client_for(self, base_url: str, api_key: str | None) -> ChatClient:
        """A throwaway client, e.g. to test a key before saving it (caller closes it)."""
        from app.core.client import ChatClient

        return ChatClient(
            base_url,
            api_key,
            referer=self.settings.http_referer,
            title=self.settings.app_title,
            timeout=min(self.settings.request_timeout, 20.0),
        )

    def endpoints(self) -> list[Endpoint]:
        """Every configured endpoint, the built-in OpenRouter one first."""
        from app.core.endpoints import list_endpoints

        return list_endpoints(self.settings)

    def client_for_endpoint(self, endpoint: Endpoint | str) -> ChatClient:
        """The client of one endpoint (by object or name) with that endpoint's own key;
        created on first use and kept until `drop_endpoint_clients`."""
        from app.core.endpoints import find_endpoint, key_store, make_client

        if isinstance(endpoint, str):
            endpoint = find_endpoint(self.settings, endpoint)
        client = self._endpoint_clients.get(endpoint.name)
        if client is None:
            own = endpoint.key_account == self.keys.account
            keys = self.keys if own else key_store(endpoint)
            # A key given on the welcome page without a secure keychain lives here.
            key = (self.session_key if own else None) or keys.get_key()
            client = make_client(endpoint, self.settings, key)
            self._endpoint_clients[endpoint.name] = client
        return client

    def drop_endpoint_clients(self) -> list[ChatClient]:
        """Forget the per-endpoint clients (settings or keys changed); returns them to close."""
        clients = list(self._endpoint_clients.values())
        self._endpoint_clients.clear()
        return clients
