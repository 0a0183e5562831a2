"""What customers write to the AR mailbox besides remittances: disputes (the ERP's open disputes
and those since settled), requests for a copy of an invoice, purchase orders (with the order as a
PDF, one of them a huge scan), and promises to pay the late invoices the ERP records. One
dispute comes from an old mail client that declares UTF-8 but writes Windows-1252."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sandbox.demo_data.documents.book import Book, Party
from sandbox.demo_data.documents.formats import euros, short_date
from sandbox.demo_data.documents.mail_plan import (
    Attachment,
    MailPlan,
    at_office_hours,
    clamp,
)

DISPUTE_TEXT = {  # reason -> (French, English)
    "quantity": (
        "Les quantités facturées ne correspondent pas aux quantités réellement livrées (voir le bon de "
        "livraison signé). Merci de nous adresser un avoir.",
        "The quantities invoiced do not match the quantities delivered (see the signed delivery note). "
        "Please issue a credit note.",
    ),
    "price": (
        "Le prix unitaire facturé ne correspond pas au prix convenu dans notre commande.",
        "The unit price invoiced differs from the price agreed in our purchase order.",
    ),
    "quality": (
        "Les pièces livrées se sont révélées défectueuses à la réception ; nous suspendons le paiement "
        "dans l'attente de votre intervention.",
        "The parts delivered were found defective on receipt; we are holding payment until this is resolved.",
    ),
    "not_received": (
        "La prestation facturée n'a pas été constatée par nos services à ce jour.",
        "Our teams have no record of the service invoiced having been carried out.",
    ),
}
SCAN_BYTES = 2 * 1024 * 1024  # "huge" for a mailbox, still reasonable to generate and store


def _invoice_line(document: dict, language: str) -> str:
    when = short_date(date.fromisoformat(document["issue_date"]), language)
    total = euros(Decimal(document["total_gross"]), language)
    return (f"facture n° {document['number']} du {when} ({total})" if language == "fr"
            else f"invoice {document['number']} of {when} ({total})")


def _ap_box(party: Party) -> tuple[str, str]:
    box = "accounts.payable" if party.language == "en" else "comptabilite.fournisseurs"
    return (f"{party.name} - {'Accounts Payable' if party.language == 'en' else 'Comptabilité fournisseurs'}",
            f"{box}@{party.domain}")


def _sign(party: Party, name: str) -> str:
    return f"{name}\n{party.name}"


def disputes(book: Book) -> list[MailPlan]:
    rng = book.rng("disputes")
    tagged = {e["invoice"]: e["events"] for e in book.data["ground_truth"]["invoice_events"]}
    mails = []
    for document in book.invoices:
        resolved = any(tag in ("dispute_credit_note", "dispute_short_payment")
                       for tag in tagged.get(document["number"], ()))
        if document["dispute"]:
            opened, reason = date.fromisoformat(document["dispute"]["opened_on"]), document["dispute"]["reason"]
        elif resolved:
            opened = date.fromisoformat(document["issue_date"]) + timedelta(days=rng.randint(5, 20))
            reason = rng.choice(tuple(DISPUTE_TEXT))
        else:
            continue
        if opened > book.as_of:
            continue
        party = book.party_of(document)
        language = party.language
        name, address = party.contact
        fr = language == "fr"
        subject = rng.choice((f"Contestation facture {document['number']}",
                              f"Litige sur votre facture n° {document['number']}",
                              f"Facture {document['number']} - réclamation") if fr else
                             (f"Dispute - invoice {document['number']}", f"Query on invoice {document['number']}"))
        reason_text = DISPUTE_TEXT[reason][0 if fr else 1]
        text = (f"Bonjour,\n\nNous contestons la {_invoice_line(document, 'fr')}.\n{reason_text}\n\n"
                f"Dans l'attente de votre retour, cette facture est bloquée au paiement.\n\nCordialement,\n"
                f"{_sign(party, name)}\n" if fr else
                f"Hello,\n\nWe dispute {_invoice_line(document, 'en')}.\n{reason_text}\n\n"
                f"This invoice is on hold for payment until we hear from you.\n\nRegards,\n{_sign(party, name)}\n")
        mails.append(MailPlan("dispute", language, at_office_hours(opened, rng), (name, address), book.ar_address,
                              subject, text, details={"customer_code": party.code, "invoices": [document["number"]],
                                                      "reason": reason}))
    french = [m for m in mails if m.language == "fr"]
    if french:  # an old mail client: Windows-1252 text declared as UTF-8
        liar = rng.choice(french)
        liar.text = liar.text.replace("Cordialement", "Bien cordialement – l’équipe achats")
        liar.declared_charset, liar.actual_charset = "utf-8", "cp1252"
        liar.hostile.append("charset_mismatch")
    return mails


def copy_requests(book: Book) -> list[MailPlan]:
    rng = book.rng("copy requests")
    by_customer = defaultdict(list)
    for document in book.invoices:
        by_customer[document["customer_code"]].append(document)
    mails = []
    for code, documents in by_customer.items():
        party = book.parties[code]
        wanted = {"chronically_late": 0.8, "deteriorating": 0.6, "disputing": 0.5}.get(party.truth["behaviour"], 0.25)
        if rng.random() >= wanted:
            continue
        picked = sorted(rng.sample(documents, min(len(documents), rng.choice((1, 1, 2)))), key=lambda d: d["number"])
        last_issue = max(date.fromisoformat(d["issue_date"]) for d in picked)
        day = clamp(last_issue + timedelta(days=rng.randint(10, 60)), book.start, book.as_of)
        fr = party.language == "fr"
        sender = _ap_box(party) if rng.random() < 0.5 else party.contact
        listed = "\n".join(f"- {_invoice_line(d, party.language)}" for d in picked)
        numbers = ", ".join(d["number"] for d in picked)
        subject = rng.choice((f"Demande de duplicata - {numbers}", f"Copie facture {numbers}",
                              "Factures non reçues") if fr else
                             (f"Invoice copy request - {numbers}", f"Copy of invoice {numbers}", "Missing invoice"))
        text = (f"Bonjour,\n\nNous ne retrouvons pas dans notre circuit de validation :\n{listed}\n\n"
                f"Pourriez-vous nous en adresser un duplicata à cette adresse ?\n\nMerci par avance,\n"
                f"{_sign(party, sender[0])}\n" if fr else
                f"Hello,\n\nWe cannot find the following in our approval workflow:\n{listed}\n\n"
                f"Could you please send us a copy to this address?\n\nThank you,\n{_sign(party, sender[0])}\n")
        mails.append(MailPlan("invoice_copy_request", party.language, at_office_hours(day, rng), sender,
                              book.ar_address, subject, text,
                              details={"customer_code": code, "invoices": [d["number"] for d in picked]}))
    return mails


def promises(book: Book) -> list[MailPlan]:
    rng = book.rng("promises")
    by_customer = defaultdict(list)
    for document in book.invoices:
        if document["promise_to_pay"]:
            by_customer[document["customer_code"]].append(document)
    mails = []
    for code, documents in sorted(by_customer.items()):
        party = book.parties[code]
        fr = party.language == "fr"
        promised = max(date.fromisoformat(d["promise_to_pay"]["date"]) for d in documents)
        latest_due = max(date.fromisoformat(d["due_date"]) for d in documents)
        day = clamp(book.as_of - timedelta(days=rng.randint(1, 12)), latest_due, book.as_of)
        total = sum((Decimal(d["promise_to_pay"]["amount"]) for d in documents), Decimal("0.00"))
        listed = "\n".join(f"- {_invoice_line(d, party.language)}" for d in documents)
        name, address = party.contact
        text = (f"Bonjour,\n\nSuite à votre relance, nous vous confirmons le règlement de :\n{listed}\n"
                f"pour un montant total de {euros(total, 'fr')}, par virement le {short_date(promised, 'fr')}.\n\n"
                f"Nous vous prions de nous excuser pour ce retard.\n\nCordialement,\n{_sign(party, name)}\n" if fr else
                f"Hello,\n\nFurther to your reminder, we confirm payment of:\n{listed}\n"
                f"totalling {euros(total, 'en')}, by bank transfer on {short_date(promised, 'en')}.\n\n"
                f"Apologies for the delay.\n\nKind regards,\n{_sign(party, name)}\n")
        subject = (rng.choice(("RE: Relance factures échues", "Règlement de vos factures", "Engagement de paiement"))
                   if fr else rng.choice(("RE: Overdue invoices", "Payment of your invoices")))
        mails.append(MailPlan("payment_promise", party.language, at_office_hours(day, rng), (name, address),
                              book.ar_address, subject, text,
                              details={"customer_code": code, "invoices": [d["number"] for d in documents],
                                       "promised_date": promised.isoformat(), "amount": str(total)}))
    return mails


def purchase_orders(book: Book) -> list[MailPlan]:
    """Orders sent by e-mail (the "BC-" orders of e-mail customers), a sample of them; the first
    comes as a huge scanned image instead of a PDF."""
    rng = book.rng("purchase orders")
    ordered = [d for d in book.invoices if (d["po_number"] or "").startswith("BC-")]
    picked = sorted(rng.sample(ordered, min(len(ordered), max(2, len(book.parties) // 3))), key=lambda d: d["number"])
    mails = []
    for index, document in enumerate(picked):
        party = book.party_of(document)
        fr = party.language == "fr"
        po = document["po_number"]
        day = clamp(date.fromisoformat(document["issue_date"]) - timedelta(days=rng.randint(5, 25)), book.start,
                    book.as_of)
        sender = (f"{party.name} - {'Purchasing' if not fr else 'Service achats'}", f"achats@{party.domain}")
        text = (f"Bonjour,\n\nVeuillez trouver ci-joint notre bon de commande n° {po}.\n"
                f"Merci de rappeler ce numéro sur votre facture.\n\nCordialement,\nService achats\n"
                f"{party.name}\n" if fr else
                f"Hello,\n\nPlease find attached our purchase order {po}.\n"
                f"Please quote this number on your invoice.\n\nRegards,\nPurchasing\n{party.name}\n")
        mail = MailPlan("purchase_order", party.language, at_office_hours(day, rng), sender, book.ar_address,
                        f"Bon de commande {po}" if fr else f"Purchase order {po}", text,
                        details={"customer_code": party.code, "po_number": po})
        if index == 0:
            mail.attachments.append(Attachment(f"scan_{po}.tif", "image", "tiff", f"scan {SCAN_BYTES}"))
            mail.hostile.append("huge_attachment")
        else:
            mail.attachments.append(
                Attachment(f"{po}.pdf", "application", "pdf", f"purchase_order {document['number']}"))
        mails.append(mail)
    return mails
