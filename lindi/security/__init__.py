"""Defences against hostile documents: the URL policy and the size limits (DESIGN section 9)."""
from .limits import ENV_VARS, Limits, check_document, check_document_bytes, decode_chunk, secure_zarray
from .url_policy import ENV_ALLOW_LOCAL, UrlPolicy, is_public_address

__all__ = ["ENV_ALLOW_LOCAL", "ENV_VARS", "Limits", "UrlPolicy", "check_document", "check_document_bytes",
           "decode_chunk", "is_public_address", "secure_zarray"]
