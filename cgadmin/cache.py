"""The shared cache on Redis, with one client object per connection pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis import ConnectionPool, Redis


class ReusingRedisCacheClient(RedisCacheClient):
    """Django makes a new redis.Redis for every cache call; building one cost more than the call
    itself (~50 us, and a login makes several). A client is thread-safe and takes its connections
    from the pool, so one per pool serves every thread."""

    # Django's own (private, so not in django-stubs) members that this builds on.
    _client: type[Redis]
    _get_connection_pool_index: Callable[[bool], int]
    _get_connection_pool: Callable[[bool], ConnectionPool]

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Redis] = {}

    def get_client(self, key: str | bytes | memoryview | None = None, *, write: bool = False) -> Redis:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    """django.core.cache.backends.redis.RedisCache with ReusingRedisCacheClient."""

    def __init__(self, server: str | list[str], params: dict) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
