"""The invoice distribution bot: every new invoice in the ERP (``collect``) reaches its customer by
the customer's channel (Chorus Pro, a supplier portal, e-mail or a printed letter) as a validated
Factur-X PDF, once and only once, with proof. ``tasks.py`` holds the robocorp-tasks entry points;
the decisions (``routing``, ``totals``, ``vat``, ``statuses``, ``erp_export``) are pure modules;
the rest is thin I/O: the ERP's flow (``erp``), one driver per channel (``channels/``) chosen by
``drivers``, page objects in ``pages/``. What every bot shares comes from ``bots.kit``; see the
README for the layout."""
