"""Sample import files, made by the tests themselves (no binary fixtures in the repository)."""
import csv
import io
import zipfile

HEADER = ["province", "year", "quarter", "indicator", "value", "note"]


def csv_bytes(rows, *, header=HEADER, delimiter=",", encoding="utf-8", bom=False):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, *, header=HEADER, extra_sheets=(), prepare=None):
    """A workbook whose first sheet holds ``header`` and ``rows``; ``prepare(sheet)`` may change it."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "values"
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    if prepare:
        prepare(sheet)
    for title, cells in extra_sheets:
        other = workbook.create_sheet(title)
        for row in cells:
            other.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bomb_xlsx(member_size=60 * 1024 * 1024):
    """A small file named like a workbook whose sheet would unpack to ``member_size`` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(member_size // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def read_csv_text(text):
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def unsupported_zip_xlsx():
    """A real workbook whose zip directory asks for a zip version no reader supports."""
    data = bytearray(xlsx_bytes([["ha-noi", 2024, 4, "TG5-01", 1, ""]]))
    position = data.index(b"PK\x01\x02")  # the first entry of the central directory
    data[position + 6:position + 8] = (255).to_bytes(2, "little")  # version needed to extract
    return bytes(data)
