"""The two kinds of client data (customers, transactions) as the importers see them.

An ImportKind bundles what differs between the two: fields, required
columns, and a Session that validates the rows of one file or request and
writes them. The CSV importer and the HTTP API are written once against it.
"""
from dataclasses import dataclass

from vigie.alerts.client_data.rows import (
    CUSTOMER_FIELDS, CUSTOMER_REQUIRED, TRANSACTION_FIELDS, TRANSACTION_REQUIRED, DuplicateKeys,
    TransactionIds, validate_customer, validate_transaction,
)
from vigie.alerts.client_data.writes import write_customers, write_transactions


class CustomerSession:
    """Validates the rows of one import; a customer_id may appear once."""

    def __init__(self, parsing):
        self.parsing = parsing
        self.keys = DuplicateKeys()

    def validate(self, values, attributes, where):
        """(record, problems) for one row; `where` ('line 7', 'item 3') names it in messages."""
        record, problems = validate_customer(values, attributes, self.parsing)
        if record is None:
            return None, problems
        duplicate = self.keys.check(record.customer_id, where, "customer_id", "this customer_id")
        return (None, [duplicate]) if duplicate else (record, [])

    @staticmethod
    def write(store, site, records, origin, version):
        return write_customers(store, site, records, version)


class TransactionSession:
    """Validates the rows of one import: derives missing ids, refuses repeated ones."""

    def __init__(self, parsing):
        self.parsing = parsing
        self.keys = DuplicateKeys()
        self.ids = TransactionIds()

    def validate(self, values, attributes, where):
        record, problems = validate_transaction(values, self.parsing)
        if record is None:
            return None, problems
        if not record.transaction_id:
            return self.ids.assign(record), []
        duplicate = self.keys.check((record.customer_id, record.transaction_id), where,
                                    "transaction_id", "this transaction_id for this customer")
        return (None, [duplicate]) if duplicate else (record, [])

    @staticmethod
    def write(store, site, records, origin, version):
        return write_transactions(store, site, records, origin, version)


@dataclass(frozen=True)
class ImportKind:
    name: str
    fields: tuple
    required: tuple
    keeps_attributes: bool
    session: type


CUSTOMERS = ImportKind("customers", CUSTOMER_FIELDS, CUSTOMER_REQUIRED, True, CustomerSession)
TRANSACTIONS = ImportKind("transactions", TRANSACTION_FIELDS, TRANSACTION_REQUIRED, False,
                          TransactionSession)
