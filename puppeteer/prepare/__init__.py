"""Character preparation: fit any character picture to THA v1's 256×256 template (`puppeteer prepare`, the app's
prepare dialog) and say whether a picture meets the requirements (`puppeteer check`)."""
from .checks import Report, check_picture
from .framing import Framing
from .plan import Plan, plan_file, plan_picture

__all__ = ["Framing", "Plan", "Report", "check_picture", "plan_file", "plan_picture"]
