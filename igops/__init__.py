"""igops: Intelligems experiences as code."""

__version__ = "0.1.0"

import logging

# A library stays quiet unless its user configures logging (the CLI's -v does).
logging.getLogger(__name__).addHandler(logging.NullHandler())
