"""The bank: account statements as French banks deliver them, ISO 20022 camt.053.001.02 (end of
day) and camt.054.001.02 (credit notifications), written from plain data and checked against
the official schemas shipped in ``xsd/``. The bots read these files; they never import this."""
from sandbox.bank.camt053 import write_camt053
from sandbox.bank.camt054 import write_camt054
from sandbox.bank.model import Account, BankTransactionCode, Entry, Notification, Remittance, Statement, Transaction
from sandbox.bank.schemas import InvalidCamt, validate

__all__ = [
    "Account",
    "BankTransactionCode",
    "Entry",
    "InvalidCamt",
    "Notification",
    "Remittance",
    "Statement",
    "Transaction",
    "validate",
    "write_camt053",
    "write_camt054",
]
