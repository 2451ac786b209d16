"""The settings the suite runs on: the product's own (config.settings), with the secret key the
embedded install keeps in var/secret_key (made once) unless DJANGO_SECRET_KEY is set, since the
product refuses to start without one, and plain http. Nothing here reaches production."""

import os
from pathlib import Path

os.environ.setdefault("VOC_HTTPS", "false")  # the test client speaks plain http, as make run does
os.environ.setdefault("VOC_SECRET_KEY_FILE", str(Path(__file__).resolve().parent.parent / "var" / "secret_key"))

from config.settings import *  # noqa: F403
