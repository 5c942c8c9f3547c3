__version__ = "1.0.0.dev0"
#: The LINDI spec version this package writes (``lindi_spec``) and the newest minor it reads.
LINDI_SPEC_VERSION = "1.1"
