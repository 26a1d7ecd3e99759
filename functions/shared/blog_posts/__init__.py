"""The blog's post storage, shared by the web and API functions.

One source, here; each function folder has a ``blog_posts`` symlink to it, so ``sam build`` packs it into
both functions and local tools import it from the function's CodeUri, as Lambda will.
Plain boto3: the table and bucket names come from the ``POSTS_TABLE`` and ``IMAGES_BUCKET`` environment
variables that template.yaml sets; locally ``AWS_ENDPOINT_URL`` points boto3 at an emulator.
"""

from __future__ import annotations

from .cursor import InvalidCursor as InvalidCursor
from .cursor import decode_cursor as decode_cursor
from .cursor import encode_cursor as encode_cursor
from .images import ALLOWED_IMAGE_TYPES as ALLOWED_IMAGE_TYPES
from .images import MAX_IMAGE_BYTES as MAX_IMAGE_BYTES
from .images import ImageNotFound as ImageNotFound
from .images import ImageStore as ImageStore
from .images import sniff_image_type as sniff_image_type
from .model import BODY_FORMATS as BODY_FORMATS
from .model import Image as Image
from .model import Post as Post
from .model import PostInput as PostInput
from .model import ValidationError as ValidationError
from .model import slugify as slugify
from .model import validate_post as validate_post
from .repository import Page as Page
from .repository import PostExists as PostExists
from .repository import PostNotFound as PostNotFound
from .repository import PostRepository as PostRepository
from .repository import VersionConflict as VersionConflict
from .settings import require_env as require_env
