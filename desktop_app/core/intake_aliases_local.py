"""Header aliases in German, French and Spanish, in the normalised form (accents folded, ß as ss).

Salesforce labels report columns in the user's language ("Rechnungs-PLZ", "Code postal de
facturation"), and local billing and accounting tools export in it (lexoffice "Kundennummer", a
French invoicing tool "Raison sociale"). They are tried after the English aliases.
"""

from __future__ import annotations

from desktop_app.core.roles import Side

_SHARED: dict[str, tuple[str, ...]] = {
    "name": ("firma", "firmenname", "unternehmen", "unternehmensname", "kundenname", "nomducompte", "raisonsociale",
             "nomdelentreprise", "entreprise", "societe", "nomduclient", "nombredelacuenta", "razonsocial",
             "empresa", "nombredelaempresa", "nombredelcliente"),
    "street": ("strasse", "rechnungsstrasse", "anschrift", "adresse", "ruedefacturation", "rue", "direccion",
               "calledefacturacion", "calle"),
    "city": ("ort", "stadt", "rechnungsort", "ville", "villedefacturation", "ciudad", "ciudaddefacturacion",
             "localidad", "poblacion"),
    "state": ("bundesland", "rechnungsbundesland", "rechnungsbundeslandkanton", "etatprovince",
              "etatprovincedefacturation", "provincia", "provinciadefacturacion", "estadoprovinciadefacturacion"),
    "postcode": ("plz", "postleitzahl", "rechnungsplz", "codepostal", "codepostaldefacturation", "codigopostal",
                 "codigopostaldefacturacion"),
    "country": ("land", "rechnungsland", "pays", "paysdefacturation", "pais", "paisdefacturacion"),
    "phone": ("telefon", "telefonnummer", "telefono", "numerodetelephone"),
    "website": ("webseite", "internetseite", "siteweb", "sitioweb"),
    "email": ("mail", "emailadresse", "courriel", "adresseemail", "correoelectronico", "correo"),
    "currency": ("wahrung", "devise", "moneda"),
}

LOCAL_ALIASES: dict[Side, dict[str, tuple[str, ...]]] = {
    Side.ACCOUNTS: {**_SHARED, "account_id": ("idducompte", "iddelacuenta")},
    Side.CUSTOMERS: {
        **_SHARED,
        "customer_id": ("kundennummer", "kundennr", "debitorennummer", "kundenid", "numeroclient", "codeclient",
                        "idclient", "numerodecliente", "idcliente", "codigodecliente"),
    },
}
