from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
# Each web process keeps a few connections open (psycopg's pool) and lends one to a request: no
# connection set up per request. The pool needs CONN_MAX_AGE 0; a broken connection is replaced.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 8}
# The replica's own pool (core.db): the team lead's figures and exports.
DATABASES["replica"]["CONN_MAX_AGE"] = 0
DATABASES["replica"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 8}
# Behind PgBouncer in transaction mode (docker-compose.yml, docs/deploy.md) a connection is
# another client's between two transactions: nothing may live in the session. Server-side
# cursors (.iterator() outside a transaction) and prepared statements would.
if env("DATABASE_POOLER", default="") == "transaction":
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database.setdefault("OPTIONS", {})["prepare_threshold"] = None

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# One cache for every web process: the identity-lookup and API throttles count per user across
# all of them, not per process. Redis, as the broker (its own database number).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default="redis://127.0.0.1:6379/1"),
        "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
}
