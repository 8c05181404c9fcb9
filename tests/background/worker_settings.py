"""Settings for the `celery -A pmc worker` and `celery -A pmc beat` processes that
tests/background/test_worker_killed.py starts: the application's own (pmc.settings, read
from the environment as in production), with the test run's Redis key prefix
(PMC_TEST_KEYPREFIX), so that they share queues with the test process and with nobody
else."""

import os

from pmc.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": os.environ["PMC_TEST_KEYPREFIX"],
}
