"""The open-data licences the portal can publish its catalogue under (``OPEN_DATA_LICENSE``).

SPDX identifiers, as Frictionless Data Packages and DCAT catalogues name them.
"""

LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0 International", "https://creativecommons.org/licenses/by-sa/4.0/"
    ),
    "CC0-1.0": ("Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-By-1.0": ("Open Data Commons Attribution License v1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License v1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication & License 1.0", "https://opendatacommons.org/licenses/pddl/1-0/"
    ),
}


def licence(identifier):
    """``{"name", "title", "path"}`` of ``identifier``, as a Data Package's ``licenses`` lists it."""
    title, path = LICENCES[identifier]
    return {"name": identifier, "title": title, "path": path}
