"""The archive's asset validation: its ``published_metadata`` checked by dandischema as a ``PublishedAsset``.

The archive (``services/metadata.validate_asset_metadata``) adds what publishing
would add (``publishedBy``, ``datePublished``) to the full metadata and runs
``dandischema.metadata.validate(..., schema_key="PublishedAsset",
json_validation=True)``. The archive's dandischema release matches its own
schema version; older metadata versions would make the installed dandischema
fetch their JSON schema from the network, so the double validates those
against the installed release's schema (the fields an asset needs have not
changed between the versions the archive accepts). Metadata claiming a schema
version newer than the instance's is rejected, as the archive's older
dandischema would.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from packaging.version import Version

#: ``dandischema.conf`` settings of the production archive (``DJANGO_DANDI_INSTANCE_*``).
INSTANCE_NAME = "DANDI"
INSTANCE_IDENTIFIER = "RRID:SCR_017571"


def published_metadata(full: dict[str, Any]) -> dict[str, Any]:
    """``Asset.published_metadata``: the full metadata plus the publish activity."""
    stamp = datetime.now(UTC).isoformat()
    publish = {
        "id": uuid.uuid4().urn, "name": "DANDI publish", "startDate": stamp, "endDate": stamp,
        "wasAssociatedWith": [{"id": uuid.uuid4().urn, "identifier": INSTANCE_IDENTIFIER,
                               "name": f"{INSTANCE_NAME} API", "version": "0.1.0", "schemaKey": "Software"}],
        "schemaKey": "PublishActivity",
    }
    return {**full, "publishedBy": publish, "datePublished": stamp}


def allowed_schema_versions(instance_schema_version: str) -> list[str]:
    """The metadata versions an instance on ``instance_schema_version`` accepts (none newer than its own)."""
    from dandischema.consts import ALLOWED_VALIDATION_SCHEMAS

    return [v for v in ALLOWED_VALIDATION_SCHEMAS if Version(v) <= Version(instance_schema_version)]


def validate_asset(full: dict[str, Any], instance_schema_version: str) -> tuple[str, list[dict[str, str]]]:
    """``("Valid", [])`` or ``("Invalid", [{"field", "message"}, ...])`` as the archive records them."""
    import dandischema.exceptions
    from dandischema.consts import DANDI_SCHEMA_VERSION
    from dandischema.metadata import validate

    claimed = str(full.get("schemaVersion"))
    allowed = allowed_schema_versions(instance_schema_version)
    if claimed not in allowed:
        return "Invalid", [{"field": "", "message": f"Metadata version {claimed} is not allowed. "
                                                    f"Allowed are: {', '.join(allowed)}."}]
    try:
        validate(published_metadata(full), schema_key="PublishedAsset", json_validation=True,
                 schema_version=None if claimed == DANDI_SCHEMA_VERSION else DANDI_SCHEMA_VERSION)
    except dandischema.exceptions.JsonschemaValidationError as exc:
        return "Invalid", [{"field": ".".join(str(p) for p in e.path), "message": e.message} for e in exc.errors]
    except dandischema.exceptions.PydanticValidationError as exc:
        return "Invalid", [{"field": str(e["loc"][0]) if e["loc"] else "", "message": e["msg"]}
                           for e in exc.errors]
    except ValueError as exc:
        return "Invalid", [{"field": "", "message": str(exc)}]
    return "Valid", []
