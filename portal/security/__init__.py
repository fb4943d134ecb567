"""Who may do what: passwords, sessions, login throttles, request middleware, security headers,
role guards and the one ownership check (`access`). No Brightpearl HTTP here."""
