"""Attachments to a report: type told by content (never by name), size checked, images re-drawn from their
pixels so no metadata (GPS position, camera, owner, time) survives. Pure: no Flask, no database."""
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
PDF = "application/pdf"
MEDIA_TYPES = (*IMAGE_TYPES.values(), PDF)
# A phone photo has 12 to 50 million pixels; more is a decompression bomb, not a picture of a receipt.
MAX_PIXELS = 60_000_000


class Refused(ValueError):
    """The file is not an attachment we take; the message says why, without quoting the file."""


def clean(data, max_bytes):
    """(media type, bytes to store) of an uploaded file, or Refused."""
    if not data:
        raise Refused("The file is empty.")
    if len(data) > max_bytes:
        raise Refused(f"The file is {len(data):,} bytes; at most {max_bytes:,} are taken.")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise Refused("The file starts like a PDF but is not a whole one (no end-of-file marker).")
        return PDF, data
    return clean_image(data)


def clean_image(data):
    """A JPEG or PNG re-drawn from its pixels, upright, with nothing but the pixels kept."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_TYPES:
                    raise Refused(f"Only JPEG and PNG pictures and PDF documents are taken; this is "
                                  f"{image.format or 'an unknown'} content.")
                if image.width * image.height > MAX_PIXELS:
                    raise Refused(f"The picture has {image.width} x {image.height} pixels; at most "
                                  f"{MAX_PIXELS:,} pixels are taken.")
                fmt = image.format
                upright = ImageOps.exif_transpose(image)
                if upright.mode not in ("L", "RGB", "RGBA", "LA"):
                    upright = upright.convert("RGBA" if "transparency" in upright.info or "A" in upright.mode
                                              else "RGB")
                if fmt == "JPEG" and upright.mode not in ("L", "RGB"):
                    upright = upright.convert("RGB")
                # A new image from the raw pixels carries no info, EXIF, XMP, ICC profile or text chunks.
                bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except Refused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("The file is not a JPEG or PNG picture or a PDF document (its content says so, whatever "
                      "its name).") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise Refused("The picture is damaged: it could not be read whole.") from None
    out = io.BytesIO()
    bare.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return IMAGE_TYPES[fmt], out.getvalue()
