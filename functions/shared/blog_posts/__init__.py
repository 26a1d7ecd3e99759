"""The blog's post storage, shared by the web and API functions.

Shipped once, as the functions' BlogPostsLayer (template.yaml): ``sam build`` installs this folder and its
requirements.txt (the Markdown renderer and sanitiser) into the layer; local tools put it on each function's
import path, as Lambda does.
Plain boto3: the table and bucket names come from the ``POSTS_TABLE`` and ``IMAGES_BUCKET`` environment
variables that template.yaml sets; locally ``AWS_ENDPOINT_URL`` points boto3 at an emulator.
"""

from __future__ import annotations

from .cursor import Cursors as Cursors
from .cursor import InvalidCursor as InvalidCursor
from .cursor import Position as Position
from .headers import image_headers as image_headers
from .headers import transport_headers as transport_headers
from .images import ALLOWED_IMAGE_TYPES as ALLOWED_IMAGE_TYPES
from .images import MAX_IMAGE_BYTES as MAX_IMAGE_BYTES
from .images import ImageNotFound as ImageNotFound
from .images import ImageStore as ImageStore
from .model import BODY_FORMATS as BODY_FORMATS
from .model import Author as Author
from .model import Image as Image
from .model import Post as Post
from .model import PostInput as PostInput
from .model import ValidationError as ValidationError
from .model import is_valid_slug as is_valid_slug
from .model import is_version as is_version
from .model import parse_version as parse_version
from .model import slugify as slugify
from .model import validate_post as validate_post
from .rendering import BodyTooComplex as BodyTooComplex
from .rendering import body_html as body_html
from .rendering import post_excerpt as post_excerpt
from .repository import Page as Page
from .repository import PostExists as PostExists
from .repository import PostNotFound as PostNotFound
from .repository import PostRepository as PostRepository
from .repository import VersionConflict as VersionConflict
from .settings import require_env as require_env
from .settings import secret_key as secret_key
from .site import FEED_KEY as FEED_KEY
from .site import FEED_TYPE as FEED_TYPE
from .site import IMAGE_PREFIX as IMAGE_PREFIX
from .site import SITEMAP_KEY as SITEMAP_KEY
from .site import SITEMAP_TYPE as SITEMAP_TYPE
from .site import THUMBNAIL_PREFIX as THUMBNAIL_PREFIX
from .site import image_key_of as image_key_of
from .site import thumbnail_key as thumbnail_key
