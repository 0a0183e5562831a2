"""The invoice distribution bot: every invoice reaches its customer by the customer's channel
(Chorus Pro, a supplier portal, e-mail or a printed letter) as a validated Factur-X PDF, once and
only once, with proof. ``tasks.py`` holds the robocorp-tasks entry points; the decisions
(``routing``, ``totals``, ``vat``, ``statuses``) are pure modules; the rest is thin I/O."""
