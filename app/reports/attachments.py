"""Attachments to a report: type told by content (never by name), size checked, images re-drawn from their
pixels and PDFs rebuilt from their pages, so no metadata (GPS position, camera, author, software, time)
survives. Pure: no Flask, no database."""
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
PDF = "application/pdf"
MEDIA_TYPES = (*IMAGE_TYPES.values(), PDF)
# A phone photo has 12 to 50 million pixels; more is a decompression bomb, not a picture of a receipt.
MAX_PIXELS = 60_000_000
# What a PDF's pages may carry besides what they show: XMP metadata (author, tool, place), an application's
# private data, comments and notes (each names its author), and actions that run on opening.
PDF_DROPPED = {"/Metadata", "/PieceInfo", "/Annots", "/AA", "/OpenAction", "/JS", "/JavaScript"}


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
        return PDF, clean_pdf(data)
    return clean_image(data)


def clean_pdf(data):
    """The PDF rebuilt from its pages alone: no document information (author, creator, dates), no XMP metadata,
    no comments, attachments, forms or scripts of the document or its pages."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about the many small faults it repairs
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise Refused("The PDF is locked with a password; send it without one.")
            writer, seen = PdfWriter(), set()
            for page in reader.pages:
                scrub(page, seen)  # before the copy: what is dropped is never copied, even unreferenced
                writer.add_page(page)
            if not len(writer.pages):
                raise Refused("The PDF has no pages.")
            writer.metadata = None
            out = io.BytesIO()
            writer.write(out)
    except Refused:
        raise
    except (PyPdfError, PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise Refused("The PDF is damaged: it could not be read whole.") from None
    return out.getvalue()


def scrub(value, seen):
    """Drop PDF_DROPPED from a page and everything it refers to (fonts, images, forms), each object once."""
    if isinstance(value, IndirectObject):
        value = value.get_object()
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, DictionaryObject):  # streams (images, forms) too
        for key in PDF_DROPPED & set(value):
            del value[key]
        for key, item in list(value.items()):
            if key != "/Parent":  # the page tree: every page is scrubbed on its own
                scrub(item, seen)
    elif isinstance(value, ArrayObject):
        for item in value:
            scrub(item, seen)


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
