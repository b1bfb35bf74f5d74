"""API users, their permissions, password hashes and JWT bearer tokens (`[http] auth-enabled`)."""
