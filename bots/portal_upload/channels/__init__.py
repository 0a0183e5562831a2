"""The channels an invoice reaches its customer by, one module per channel, each giving a driver
that fulfils ``delivery.Driver`` (deliver once and only once, then follow the status):

- ``portal_a``, ``portal_b`` — customers' supplier portals, and ``chorus_pro_portal`` — Chorus Pro's
  web portal: each a flow over its site's page objects (``pages/<site>.py``), driven by the
  never-twice rule every web portal shares (``web_portal``);
- ``chorus_pro_api`` — Chorus Pro through its API (``chorus_pro_client``);
- ``email`` — SMTP, the message in the customer's language;
- ``letter`` — the day's print batch.

Which driver serves an invoice, and what it is built from, is ``drivers``'s business.
"""
