"""Remittance advices as letters in free text (PDF): a company's accounts-payable clerk writing
"Nous avons procédé au virement de…", in two wordings and two languages, or the Treasury's
"avis de paiement" for a public body's invoices."""
from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from sandbox.demo_data.documents.advice_wording import behalf_sentence, line_sentence
from sandbox.demo_data.documents.advices import Advice
from sandbox.demo_data.documents.formats import euros, long_date
from sandbox.demo_data.documents.pdf_pages import HEADING, SMALL, build_pdf, para

OPENINGS = {
    ("fr", "a"): "Nous vous informons que nous avons procédé le {date} au virement de la somme de {total} sur "
                 "votre compte, en règlement des pièces suivantes :",
    ("fr", "b"): "Par la présente, nous vous confirmons l'envoi ce {date} d'un virement de {total} correspondant "
                 "au règlement de :",
    ("en", "a"): "Please be advised that on {date} we transferred {total} to your account in settlement of:",
    ("en", "b"): "We are pleased to confirm our transfer of {total}, made on {date}, covering:",
}
CLOSINGS = {
    "fr": "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    "en": "Yours faithfully,",
}


def render_letter_pdf(advice: Advice, company: dict, public_body: str | None = None) -> bytes:
    """The letter; ``public_body`` names the customer the Treasury pays for (treasury style)."""
    if advice.payer.style == "treasury":
        return _treasury(advice, company, public_body or "")
    language = advice.language
    payer = advice.payer
    sender = [para(payer.name, HEADING),
              para(f"{payer.address['line1']}\n{payer.address['postcode']} {payer.address['city']}", SMALL)]
    recipient = [para(company["name"]), para("Service comptabilité clients" if language == "fr"
                                              else "Accounts Receivable"),
                 para(f"{company['address']['line1']}\n{company['address']['line2'] or ''}\n"
                      f"{company['address']['postcode']} {company['address']['city']}")]
    place = payer.address["city"]
    when = long_date(advice.payment_date, language)
    story = [Table([[sender, ""], ["", recipient]], colWidths=[95 * mm, 80 * mm], hAlign="LEFT"),
             Spacer(1, 8 * mm),
             para(f"{place}, le {when}" if language == "fr" else f"{place}, {when}"), Spacer(1, 5 * mm),
             para(f"Objet : règlement de vos factures\nNotre référence : {advice.payment_reference}"
                  if language == "fr" else
                  f"Subject: payment of your invoices\nOur reference: {advice.payment_reference}", HEADING),
             Spacer(1, 6 * mm), para("Madame, Monsieur," if language == "fr" else "Dear Sir or Madam,"),
             Spacer(1, 3 * mm),
             para(OPENINGS[(language, payer.style)].format(date=when, total=euros(advice.total, language)))]
    story += [para(f"- {line_sentence(line, language)} ;" if language == "fr"
                   else f"- {line_sentence(line, language)};")
              for line in advice.lines]
    behalf = behalf_sentence(advice)
    if behalf:
        story += [Spacer(1, 3 * mm), para(behalf)]
    story += [Spacer(1, 3 * mm),
              para(f"Montant total du virement : {euros(advice.total, language)}." if language == "fr"
                    else f"Total amount transferred: {euros(advice.total, language)}."),
              Spacer(1, 5 * mm), para(CLOSINGS[language]), Spacer(1, 10 * mm),
              para(f"{payer.sender_name}\n{'Comptabilité fournisseurs' if language == 'fr' else 'Accounts Payable'}")]
    return build_pdf(story, title=f"Avis de virement {advice.payment_reference}", author=payer.name, pagesize=A4,
                     margins=22 * mm)


def _treasury(advice: Advice, company: dict, public_body: str) -> bytes:
    """The public accountant's notice: the payment order (mandat) number, the body paid for, the pieces."""
    payer = advice.payer
    story = [para("DIRECTION GÉNÉRALE DES FINANCES PUBLIQUES", HEADING), para(payer.sender_name, SMALL),
             Spacer(1, 10 * mm),
             Table([["", [para(company["name"]),
                          para(f"{company['address']['line1']}\n"
                               f"{company['address']['postcode']} {company['address']['city']}")]]],
                   colWidths=[95 * mm, 80 * mm], hAlign="LEFT"),
             Spacer(1, 8 * mm), para("AVIS DE PAIEMENT", HEADING), Spacer(1, 4 * mm),
             para(f"Le comptable public vous informe qu'un paiement a été émis le "
                  f"{long_date(advice.payment_date, 'fr')} en votre faveur pour le compte de : {public_body}."),
             Spacer(1, 3 * mm),
             para(f"Référence du mandat : {advice.payment_reference}\n"
                  f"Montant payé : {euros(advice.total, 'fr')}\nMode de paiement : virement"),
             Spacer(1, 3 * mm), para("Pièces réglées :")]
    story += [para(f"- {line_sentence(line, 'fr')}") for line in advice.lines]
    story += [Spacer(1, 8 * mm),
              para("Pour toute question relative à ce paiement, adressez-vous au service ordonnateur.", SMALL)]
    return build_pdf(story, title=f"Avis de paiement {advice.payment_reference}", author=payer.name, pagesize=A4,
                     margins=22 * mm)
