"""Mail that machines send to the AR mailbox: the supplier portals' and Chorus Pro's status
notifications, out-of-office replies to our dunning mails (RFC 3834: ``Auto-Submitted:
auto-replied``, In-Reply-To the reminder), and newsletters (``List-Id``, ``List-Unsubscribe``,
``Precedence: bulk``), one of them with a script in its HTML."""
from __future__ import annotations

from datetime import date, timedelta
from html import escape

from sandbox.demo_data.documents.book import Book
from sandbox.demo_data.documents.formats import MONTHS, long_date, short_date
from sandbox.demo_data.documents.mail_plan import MailPlan, at_office_hours, clamp

PORTALS = {
    "portal_a": ("Supplier Portal A", "no-reply@portal-a.example", "en"),
    "portal_b": ("Portail fournisseurs B", "notifications@portal-b.example", "fr"),
    "chorus_pro": ("Chorus Pro", "ne-pas-repondre@chorus-pro.example", "fr"),
}
PORTAL_STATUSES = {
    "portal_a": (("approved", "Invoice {n} has been approved by {buyer}"),
                 ("rejected", "Invoice {n} was rejected by {buyer}"),
                 ("payment_scheduled", "Payment scheduled for invoice {n}")),
    "portal_b": (("approved", "Facture {n} : approuvée"), ("rejected", "Facture {n} : rejetée"),
                 ("paid", "Facture {n} : payée")),
    "chorus_pro": (("MISE_A_DISPOSITION", "[Chorus Pro] Facture {n} : mise à disposition du destinataire"),
                   ("SUSPENDUE", "[Chorus Pro] Facture {n} : suspendue"),
                   ("MISE_EN_PAIEMENT", "[Chorus Pro] Facture {n} : mise en paiement")),
}
REJECTIONS = ("PO number does not match", "Montant HT différent de la commande", "Missing VAT number")
NEWSLETTERS = (
    ("Banque Démo Entreprises", "lettre@banque-demo.example", "fr", "lettre-tresorerie.banque-demo.example",
     "La lettre Trésorerie - {month} {year}",
     "Taux, délais de paiement et affacturage : l'essentiel du mois pour votre trésorerie."),
    ("FacturX Solutions", "news@facturx-solutions.example", "fr", "actu.facturx-solutions.example",
     "Facturation électronique : où en êtes-vous ? ({month} {year})",
     "Plateformes agréées, cycle de vie des factures, statuts 200 à 213 : notre webinaire du mois."),
    ("Credit Management Today", "digest@cm-today.example", "en", "digest.cm-today.example",
     "This month in credit management - {month} {year}",
     "DSO benchmarks, dunning that works, and what the 2026 e-invoicing mandate means for your AR team."),
)


def portal_notifications(book: Book) -> list[MailPlan]:
    rng = book.rng("portal notifications")
    mails = []
    for document in book.invoices:
        party = book.party_of(document)
        portal = party.record["invoice_channel"]
        if portal not in PORTALS or rng.random() >= 0.15:
            continue
        name, address, language = PORTALS[portal]
        status, subject = rng.choice(PORTAL_STATUSES[portal])
        issued = date.fromisoformat(document["issue_date"])
        day = clamp(issued + timedelta(days=rng.randint(1, 20)), book.start, book.as_of)
        subject = subject.format(n=document["number"], buyer=party.name)
        reason = rng.choice(REJECTIONS) if status == "rejected" else None
        text = (f"Bonjour,\n\n{subject.removeprefix('[Chorus Pro] ')}.\nAcheteur : {party.name}\n"
                f"Date de la facture : {short_date(issued, 'fr')}\n"
                + (f"Motif : {reason}\n" if reason else "")
                + "\nConsultez le détail sur le portail. Ce message est envoyé automatiquement.\n"
                if language == "fr" else
                f"Hello,\n\n{subject}.\nCustomer: {party.name}\nInvoice date: {short_date(issued, 'en')}\n"
                + (f"Reason: {reason}\n" if reason else "")
                + "\nSign in to the portal for details. This is an automated notification.\n")
        mails.append(MailPlan("portal_notification", language, at_office_hours(day, rng), (name, address),
                              book.ar_address, subject, text, headers=[("Auto-Submitted", "auto-generated")],
                              details={"customer_code": party.code, "portal": portal, "invoices": [document["number"]],
                                       "status": status}))
    return mails


def out_of_office(book: Book) -> list[MailPlan]:
    """Replies to the reminders we sent on overdue invoices of late payers, while the contact is away."""
    rng = book.rng("out of office")
    mails = []
    for document in book.invoices:
        party = book.party_of(document)
        if party.truth["behaviour"] not in ("chronically_late", "deteriorating") or rng.random() >= 0.12:
            continue
        reminded = date.fromisoformat(document["due_date"]) + timedelta(days=rng.randint(8, 30))
        if reminded > book.as_of:
            continue
        back = reminded + timedelta(days=rng.randint(3, 15))
        name, address = party.contact
        fr = party.language == "fr"
        original = f"<relance.{document['number'].lower()}.{reminded:%Y%m%d}@{book.company_domain}>"
        reminder = (f"Relance : facture {document['number']} échue" if fr
                    else f"Reminder: invoice {document['number']} overdue")
        exchange = rng.random() < 0.5
        subject = (("Réponse automatique : " if exchange else "Absence : ") + reminder if fr
                   else ("Automatic reply: " if exchange else "Out of office: ") + reminder)
        text = (f"Bonjour,\n\nJe suis absent(e) jusqu'au {long_date(back, 'fr')} inclus, avec un accès limité à ma "
                f"messagerie.\nPour toute urgence, merci de contacter la comptabilité fournisseurs.\n\n{name}\n" if fr
                else f"Hello,\n\nI am out of the office until {long_date(back, 'en')} with limited access to e-mail.\n"
                     f"For urgent matters please contact Accounts Payable.\n\n{name}\n")
        headers = [("Auto-Submitted", "auto-replied"), ("In-Reply-To", original), ("References", original)]
        headers += [("X-Auto-Response-Suppress", "All")] if exchange else [("X-Autoreply", "yes")]
        mails.append(MailPlan("out_of_office", party.language,
                              at_office_hours(reminded, rng) + timedelta(minutes=rng.randint(1, 90)),
                              (name, address), book.ar_address, subject, text, headers=headers,
                              details={"customer_code": party.code, "invoices": [document["number"]],
                                       "in_reply_to": original, "return_date": back.isoformat()}))
    return mails


def newsletters(book: Book) -> list[MailPlan]:
    rng = book.rng("newsletters")
    mails = []
    month = date(book.start.year, book.start.month, 1)
    index = 0
    while month <= book.as_of:
        name, address, language, list_id, subject, teaser = NEWSLETTERS[index % len(NEWSLETTERS)]
        day = clamp(month + timedelta(days=rng.randint(2, 20)), book.start, book.as_of)
        subject = subject.format(month=MONTHS[language][day.month - 1], year=day.year)
        domain = address.partition("@")[2]
        link = f"https://{domain}/u/{rng.getrandbits(32):08x}"
        text = (f"{teaser}\n\nLire en ligne : https://{domain}/lettre/{day:%Y-%m}\n\n"
                f"Se désabonner : {link}\n" if language == "fr" else
                f"{teaser}\n\nRead online: https://{domain}/letter/{day:%Y-%m}\n\nUnsubscribe: {link}\n")
        hostile = index == 4
        script = (f"<script src=\"https://{domain}/t.js\"></script><script>window.open('https://{domain}/promo')"
                  "</script>" if hostile else "")
        html = (f"<html><head><meta charset=\"utf-8\"><style>body{{font-family:Arial}}</style></head><body>{script}"
                f"<h1>{escape(subject)}</h1><p>{escape(teaser)}</p><p><a href=\"https://{domain}/lettre/{day:%Y-%m}\">"
                f"{'Lire la suite' if language == 'fr' else 'Read more'}</a></p>"
                f"<img src=\"https://{domain}/open.gif?m={rng.getrandbits(32):08x}\" width=\"1\" height=\"1\" alt=\"\">"
                f"<p style=\"font-size:10px\"><a href=\"{link}\">"
                f"{'Se désabonner' if language == 'fr' else 'Unsubscribe'}</a></p></body></html>\n")
        headers = [("List-Id", f"{name} <{list_id}>"), ("List-Unsubscribe", f"<{link}>, <mailto:unsubscribe@{domain}>"),
                   ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"), ("Precedence", "bulk")]
        mails.append(MailPlan("newsletter", language, at_office_hours(day, rng), (name, address), book.ar_address,
                              subject, text, html=html, headers=headers, details={"list_id": list_id},
                              hostile=["html_script"] if hostile else []))
        month = (month + timedelta(days=32)).replace(day=1)
        index += 1
    return mails
