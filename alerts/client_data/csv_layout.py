"""Which CSV column feeds which field: the header checks and --map options.

Everything here is a property of the file as a whole, so every problem is
fatal: a missing required column, a duplicated header or a mapping that names
nothing would make every row wrong, and nothing is imported.
"""
from collections import namedtuple
from dataclasses import dataclass

Rejection = namedtuple("Rejection", "line field reason value")


class ImportFailed(ValueError):
    """The whole file is refused and nothing was imported; problems say why."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class Layout:
    """column index of each field present, and the other columns kept as attributes."""
    header: tuple
    field_columns: dict       # field name -> column index
    attribute_columns: tuple  # ((column index, name), ...)


def parse_mapping(pairs):
    """['customer_id=Client ID', ...] -> {'customer_id': 'Client ID'}; ImportFailed if malformed."""
    mapping = {}
    for pair in pairs or ():
        field, sep, column = pair.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise ImportFailed(f"bad mapping {pair!r}: write FIELD=COLUMN, e.g. customer_id=Client ID")
        if field in mapping:
            raise ImportFailed(f"bad mapping: {field} is mapped twice")
        mapping[field] = column
    return mapping


def plan_layout(header, kind, mapping, required):
    """The Layout for a header row; ImportFailed on any file-level problem.

    kind: an ImportKind (its fields, whether extra columns are kept).
    mapping: field -> column name from --map; other fields are found by their
    own name, ignoring case.
    required: the fields that must have a column.
    """
    header = tuple(cell.strip() for cell in header)
    problems = []
    seen = {}
    for index, name in enumerate(header):
        if not name:
            problems.append(Rejection(1, f"column {index + 1}", "column has no name", ""))
        elif name.lower() in seen:
            problems.append(Rejection(1, name, f"column {name!r} appears twice (columns "
                                               f"{seen[name.lower()] + 1} and {index + 1})", ""))
        else:
            seen[name.lower()] = index
    if problems:
        raise ImportFailed("the header row is not usable", problems)

    exact = {name: index for index, name in enumerate(header)}
    fields = {}
    for field, column in mapping.items():
        if field not in kind.fields:
            problems.append(Rejection(1, field, f"bad mapping: {field!r} is not a {kind.name} field "
                                                f"({', '.join(kind.fields)})", column))
        elif column not in exact:
            problems.append(Rejection(1, field, f"bad mapping: the file has no column {column!r}",
                                      column))
        elif exact[column] in fields.values():
            problems.append(Rejection(1, field, f"bad mapping: column {column!r} is mapped to "
                                                "two fields", column))
        else:
            fields[field] = exact[column]
    for field in kind.fields:
        index = seen.get(field)
        if field in mapping or index is None:
            continue
        if index in fields.values():
            continue  # this column is the source of a mapped field
        fields[field] = index
    for field in required:
        if field not in fields and field not in mapping:
            problems.append(Rejection(1, field, f"required column {field!r} is missing "
                                                f"(map another column with --map {field}=COLUMN)", ""))
    shadowed = [(field, header[seen[field]]) for field in mapping
                if field in seen and seen[field] not in fields.values()]
    for field, column in shadowed:
        problems.append(Rejection(1, field, f"bad mapping: {field} is mapped from "
                                            f"{mapping[field]!r} but the file also has a column "
                                            f"{column!r}", column))
    if problems:
        raise ImportFailed("the columns do not fit a " + kind.name + " file", problems)
    used = set(fields.values())
    attributes = tuple((index, name) for index, name in enumerate(header)
                       if index not in used) if kind.keeps_attributes else ()
    return Layout(header, fields, attributes)
