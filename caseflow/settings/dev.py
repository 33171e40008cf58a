from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
DEMO_USERS_ALLOWED = True
PORTAL_DEMO_SIGN_IN = True
