"""`legal-track users add|list|password|disable|enable|role|reset`."""

from __future__ import annotations

from enum import StrEnum

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    clock,
    command_group,
    handle_errors,
    out_console,
    print_json,
    session,
)

app = command_group("Manage local user accounts.")

# The values of models.user.Role (tests check they match), without importing the models.
ROLES = ("admin", "lead", "staff", "viewer", "counsel")
RoleName = StrEnum("RoleName", {v: v for v in ROLES})


@app.command("add")
@handle_errors
def add(
    username: str,
    role: RoleName = typer.Option(RoleName.staff, help="admin, lead, staff, viewer or counsel."),
    email: str | None = typer.Option(None, help="E-mail address for reminders."),
    name: str = typer.Option("", help="Display name."),
    language: str = typer.Option("zh", help="zh or en."),
    password: str | None = typer.Option(
        None, envvar="LEGAL_TRACK_NEW_USER_PASSWORD", help="Password; generated when omitted."
    ),
    lead: str | None = typer.Option(None, help="User name of this user's team lead."),
) -> None:
    """Create a user. A generated password is printed once."""
    from legal_track.auth import create_user, generate_password, list_users
    from legal_track.models.user import Role

    generated = password is None
    password = password or generate_password()
    with session() as s:
        lead_id = None
        if lead:
            found = [u for u in list_users(s) if u.username == lead]
            if not found:
                raise LookupError(f"no user named {lead!r} (--lead)")
            lead_id = found[0].id
        user = create_user(
            s,
            username=username,
            password=password,
            role=Role(role.value),
            now=clock(),
            actor=CLI_ACTOR,
            display_name=name,
            email=email,
            language=language,
            lead_id=lead_id,
        )
    out_console.print(f"created user {user.username} ({user.role.value})")
    if generated:
        out_console.print(f"password (shown once): {password}")


@app.command("list")
@handle_errors
def list_(as_json: bool = typer.Option(False, "--json", help="Output JSON.")) -> None:
    """List users."""
    from legal_track.auth import list_users

    with session() as s:
        users = list_users(s)
    rows = [
        {
            "username": u.username,
            "name": u.display_name,
            "role": u.role.value,
            "email": u.email,
            "language": u.language,
            "active": u.active,
            "must_change_password": u.must_change_password,
        }
        for u in users
    ]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out_console.print(
            f"{r['username']:<16} {r['role']:<8} {r['language']}  {r['email'] or '-'}"
            f"{'' if r['active'] else '  (inactive)'}"
            f"{'  (must change password)' if r['must_change_password'] else ''}"
        )


@app.command("password")
@handle_errors
def password(
    username: str,
    new_password: str | None = typer.Option(
        None, envvar="LEGAL_TRACK_NEW_USER_PASSWORD", help="New password; generated when omitted."
    ),
) -> None:
    """Set a user's password (e.g. a forgotten admin password). A generated one is printed
    once."""
    from legal_track.auth import set_password

    with session() as s:
        generated = set_password(s, username=username, password=new_password, actor=CLI_ACTOR,
                                 now=clock())  # fmt: skip
    if generated:
        out_console.print(f"new password for {username} (shown once): {generated}")
    else:
        out_console.print(f"password of {username} changed")


@app.command("disable")
@handle_errors
def disable(username: str) -> None:
    """Disable an account: it cannot sign in, its open sessions end at once."""
    from legal_track.auth import disable_user

    with session() as s:
        disable_user(s, username=username, actor=CLI_ACTOR, now=clock())
    out_console.print(f"disabled {username}")


@app.command("enable")
@handle_errors
def enable(username: str) -> None:
    """Re-enable an account (also lifts a sign-in lockout)."""
    from legal_track.auth import enable_user

    with session() as s:
        enable_user(s, username=username, actor=CLI_ACTOR, now=clock())
    out_console.print(f"enabled {username}")


@app.command("role")
@handle_errors
def role(username: str, new_role: RoleName = typer.Argument(..., help="admin, lead, staff, viewer or counsel.")) -> None:  # fmt: skip
    """Give an account another role."""
    from legal_track.auth import change_role

    with session() as s:
        change_role(s, username=username, new_role=new_role.value, actor=CLI_ACTOR, now=clock())
    out_console.print(f"{username} is now {new_role.value}")


@app.command("reset")
@handle_errors
def reset(username: str) -> None:
    """Reset a password: a temporary one, printed once, to be changed at the next sign-in."""
    from legal_track.auth import reset_password

    with session() as s:
        temporary = reset_password(s, username=username, actor=CLI_ACTOR, now=clock())
    out_console.print(f"temporary password for {username} (shown once; to be changed at the "
                      f"next sign-in): {temporary}")  # fmt: skip
