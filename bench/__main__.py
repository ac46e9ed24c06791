"""`python -m bench`: the webhook receiver benchmark."""

import sys

from bench.receiver import main

sys.exit(main())
