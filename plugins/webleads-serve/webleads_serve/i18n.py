"""The portal's words in English and French, chosen by ``Accept-Language``.

The people who write to the portal are not users of webleads and may read no English:
the CNIL's Kaspr decision counted English-only notices against the company.  A
language is a dict of the same keys; ``tests`` check that every language has them all.
"""

from __future__ import annotations

import re

DEFAULT = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "lang_name": "English",
        "site_title": "Your data and webleads",
        "intro": ("This service may hold business contact details about you (name, job title, company, work "
                  "email, work phone, work address, public profiles), collected from business email and public "
                  "web pages. You can stop it, or see what is held, whether or not you use this service."),
        "optout_title": "Stop: remove me and never collect me again",
        "optout_text": ("Enter your email address or phone number. We send you a six-digit code to check it is "
                        "yours; once you confirm, everything held about it is erased and it is never collected "
                        "again."),
        "access_title": "See what is held about me",
        "access_text": ("Enter your email address or phone number. After the same check you can download "
                        "everything held about you, every value with where it came from."),
        "identifier_label": "Email address or phone number (international form, +CC...)",
        "send_code": "Send me a code",
        "code_sent_title": "Check your messages",
        "code_sent": ("If the address or number can receive messages, a six-digit code is on its way. It is valid "
                      "for {minutes} minutes. Enter it below."),
        "code_label": "Six-digit code",
        "confirm": "Confirm",
        "optout_done_title": "Done",
        "optout_done": ("Your request is complete. Everything held about this identifier has been erased, and it "
                        "is on the opt-out list: it will never be collected again. Request reference: {ref}."),
        "access_done_title": "What is held about you",
        "download_json": "Download (JSON)",
        "download_html": "Download (web page)",
        "nothing_held": "Nothing is held about this identifier.",
        "held": "Here is everything held about you.",
        "due": "Request received {received}; the answer is due by {due} at the latest.",
        "field": "Field", "value": "Value", "source": "Source", "when": "When", "found_by": "Found by",
        "record": "Record {id}",
        "rights_title": "Your rights",
        "rights": ("You may ask for a copy of this information at any time, have a value corrected, have "
                   "everything erased and never collected again, or have the record frozen while a dispute "
                   "lasts. You may also lodge a complaint with your data protection authority."),
        "controller": "Controller: {name}",
        "back": "Back to the start",
        "error_title": "This request could not be completed",
        "err_csrf": "This form has expired. Please go back to the start and try again.",
        "err_identifier": "Please enter one email address, or a phone number in international form (+CC...).",
        "err_too_long": "One of the fields is too long.",
        "err_rate": "Too many requests. Please wait a while and try again.",
        "err_code": "This code is not valid. Check it and try again, or ask for a new one.",
        "err_expired": "This code has expired or was already used. Please ask for a new one.",
        "err_unavailable": "We cannot send a code right now. Please try again later.",
        "err_phone": ("We cannot send codes by text message here. Please use your email address, or write to "
                      "the controller named below."),
        "err_not_found": "This page does not exist.",
        "language": "Language",
        "mail_subject": "Your verification code",
        "mail_body": ("Someone (probably you) asked to {action} on {site}.\n\nYour code: {code}\n\nIt is valid for "
                      "{minutes} minutes. If you did not ask for this, ignore this message: nothing happens "
                      "without the code.\n"),
        "action_optout": "stop the processing of data about this address and erase it",
        "action_access": "see the data held about this address",
    },
    "fr": {
        "lang_name": "Français",
        "site_title": "Vos données et webleads",
        "intro": ("Ce service peut détenir des coordonnées professionnelles vous concernant (nom, fonction, "
                  "entreprise, e-mail et téléphone professionnels, adresse professionnelle, profils publics), "
                  "recueillies dans des e-mails professionnels et des pages web publiques. Vous pouvez vous y "
                  "opposer ou voir ce qui est détenu, que vous utilisiez ce service ou non."),
        "optout_title": "M'opposer : me supprimer et ne plus jamais me collecter",
        "optout_text": ("Saisissez votre adresse e-mail ou votre numéro de téléphone. Nous vous envoyons un code "
                        "à six chiffres pour vérifier qu'il s'agit bien du vôtre ; après confirmation, tout ce "
                        "qui est détenu à son sujet est effacé et il n'est plus jamais collecté."),
        "access_title": "Voir ce qui est détenu sur moi",
        "access_text": ("Saisissez votre adresse e-mail ou votre numéro de téléphone. Après la même vérification, "
                        "vous pouvez télécharger tout ce qui est détenu sur vous, chaque valeur avec sa source."),
        "identifier_label": "Adresse e-mail ou numéro de téléphone (format international, +CC...)",
        "send_code": "M'envoyer un code",
        "code_sent_title": "Consultez vos messages",
        "code_sent": ("Si l'adresse ou le numéro peut recevoir des messages, un code à six chiffres vous a été "
                      "envoyé. Il est valable {minutes} minutes. Saisissez-le ci-dessous."),
        "code_label": "Code à six chiffres",
        "confirm": "Confirmer",
        "optout_done_title": "C'est fait",
        "optout_done": ("Votre demande est traitée. Tout ce qui était détenu sur cet identifiant a été effacé, et "
                        "il figure sur la liste d'opposition : il ne sera plus jamais collecté. Référence de la "
                        "demande : {ref}."),
        "access_done_title": "Ce qui est détenu sur vous",
        "download_json": "Télécharger (JSON)",
        "download_html": "Télécharger (page web)",
        "nothing_held": "Rien n'est détenu sur cet identifiant.",
        "held": "Voici tout ce qui est détenu sur vous.",
        "due": "Demande reçue le {received} ; la réponse est due au plus tard le {due}.",
        "field": "Champ", "value": "Valeur", "source": "Source", "when": "Date", "found_by": "Trouvé par",
        "record": "Fiche {id}",
        "rights_title": "Vos droits",
        "rights": ("Vous pouvez demander une copie de ces informations à tout moment, faire corriger une valeur, "
                   "faire tout effacer et ne plus jamais être collecté, ou faire geler la fiche le temps d'un "
                   "litige. Vous pouvez aussi introduire une réclamation auprès de votre autorité de protection "
                   "des données (en France, la CNIL)."),
        "controller": "Responsable du traitement : {name}",
        "back": "Retour à l'accueil",
        "error_title": "Cette demande n'a pas pu aboutir",
        "err_csrf": "Ce formulaire a expiré. Revenez à l'accueil et recommencez.",
        "err_identifier": ("Saisissez une seule adresse e-mail, ou un numéro de téléphone au format international "
                           "(+CC...)."),
        "err_too_long": "L'un des champs est trop long.",
        "err_rate": "Trop de demandes. Patientez un moment puis réessayez.",
        "err_code": "Ce code n'est pas valide. Vérifiez-le et réessayez, ou demandez-en un nouveau.",
        "err_expired": "Ce code a expiré ou a déjà été utilisé. Demandez-en un nouveau.",
        "err_unavailable": "Nous ne pouvons pas envoyer de code pour le moment. Réessayez plus tard.",
        "err_phone": ("Nous ne pouvons pas envoyer de code par SMS ici. Utilisez votre adresse e-mail, ou écrivez "
                      "au responsable du traitement indiqué ci-dessous."),
        "err_not_found": "Cette page n'existe pas.",
        "language": "Langue",
        "mail_subject": "Votre code de vérification",
        "mail_body": ("Quelqu'un (sans doute vous) a demandé à {action} sur {site}.\n\nVotre code : {code}\n\nIl "
                      "est valable {minutes} minutes. Si vous n'êtes pas à l'origine de cette demande, ignorez ce "
                      "message : rien ne se passe sans le code.\n"),
        "action_optout": "faire cesser le traitement des données liées à cette adresse et les effacer",
        "action_access": "consulter les données détenues sur cette adresse",
    },
}

_TAG = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([01](?:\.\d{0,3})?))?\s*$")


def choose(accept_language: str | None, override: str | None = None) -> str:
    """The best supported language: an explicit ``?lang=`` first, else ``Accept-Language``
    by quality, else English."""
    if override in MESSAGES:
        return override  # type: ignore[return-value]
    best, best_q = DEFAULT, -1.0
    for i, part in enumerate((accept_language or "")[:500].split(",")[:20]):
        m = _TAG.match(part)
        if not m:
            continue
        lang = m.group(1).lower()
        q = float(m.group(2)) if m.group(2) else 1.0
        if lang in MESSAGES and q > best_q and q > 0:
            best, best_q = lang, q
    return best
