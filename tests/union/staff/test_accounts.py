"""Staff accounts, sessions, tokens and sign-in throttling, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from union.staff.accounts import AccountError, add_account, authenticate, disable_account
from union.staff.sessions import (
    SessionPolicy,
    close_session,
    csrf_matches,
    open_session,
    resume_session,
)
from union.staff.throttle import LoginThrottle, throttle_key
from union.staff.tokens import issue_token, revoke_token, token_holder
from union.store.engine import Store
from union.store.staff_models import ApiTokenRow, StaffAccountRow, StaffSessionRow

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
HASHER = PasswordHasher()
PASSWORD = "rahasia-perpustakaan"


def test_an_account_keeps_an_argon2_hash_not_the_password(branches: Store) -> None:
    with branches.write() as session:
        add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)
    with branches.read() as session:
        stored = session.scalars(select(StaffAccountRow.password_hash)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_right_password_signs_in_for_the_accounts_branch(branches: Store) -> None:
    with branches.write() as session:
        add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)
        member = authenticate(session, HASHER, "DESA1", "sari", PASSWORD)
    assert member is not None and (member.branch, member.username) == ("DESA1", "sari")


@pytest.mark.parametrize(("branch", "username", "password"), [
    ("DESA1", "sari", "salah-kata-sandi"),
    ("DESA2", "sari", PASSWORD),
    ("DESA1", "budi", PASSWORD),
])
def test_a_wrong_password_name_or_branch_signs_nobody_in(
        branches: Store, branch: str, username: str, password: str) -> None:
    with branches.write() as session:
        add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)
        assert authenticate(session, HASHER, branch, username, password) is None


def test_a_hash_made_with_old_parameters_is_rehashed_on_sign_in(branches: Store) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192)
    with branches.write() as session:
        add_account(session, weak, "KOTA", "admin", PASSWORD, NOW)
    with branches.write() as session:
        assert authenticate(session, HASHER, "KOTA", "admin", PASSWORD) is not None
    with branches.read() as session:
        stored = session.scalars(select(StaffAccountRow.password_hash)).one()
    assert not HASHER.check_needs_rehash(stored) and weak.check_needs_rehash(stored)


@pytest.mark.parametrize(("branch", "username", "password", "problem"), [
    ("NOWHERE", "sari", PASSWORD, "unknown branch"),
    ("DESA1", "", PASSWORD, "username"),
    ("DESA1", "sari dewi", PASSWORD, "username"),
    ("DESA1", "sari", "pendek", "at least"),
])
def test_a_bad_account_is_refused_with_a_reason(
        branches: Store, branch: str, username: str, password: str, problem: str) -> None:
    with branches.write() as session, pytest.raises(AccountError, match=problem):
        add_account(session, HASHER, branch, username, password, NOW)


def test_the_same_username_twice_in_one_branch_is_refused(branches: Store) -> None:
    with branches.write() as session:
        add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)
        add_account(session, HASHER, "DESA2", "sari", PASSWORD, NOW)
        with pytest.raises(AccountError, match="already exists"):
            add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)


def test_a_session_lives_while_used_and_ends_when_idle(branches: Store) -> None:
    policy = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=8))
    with branches.write() as session:
        member = add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)
        opened = open_session(session, member, NOW, policy)
    with branches.write() as session:
        later = resume_session(session, opened.session_id, NOW + timedelta(minutes=25), policy)
    assert later is not None and later.member == member
    assert later.csrf_token == opened.csrf_token
    with branches.write() as session:
        idle = NOW + timedelta(minutes=25 + 31)
        assert resume_session(session, opened.session_id, idle, policy) is None


def test_a_session_ends_after_its_lifetime_however_busy(branches: Store) -> None:
    policy = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=1))
    with branches.write() as session:
        member = add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)
        opened = open_session(session, member, NOW, policy)
    for minutes in (20, 40, 59):
        with branches.write() as session:
            at = NOW + timedelta(minutes=minutes)
            assert resume_session(session, opened.session_id, at, policy) is not None
    with branches.write() as session:
        at = NOW + timedelta(minutes=61)
        assert resume_session(session, opened.session_id, at, policy) is None


def test_signing_in_drops_sessions_that_have_expired(branches: Store) -> None:
    policy = SessionPolicy(idle=timedelta(minutes=30))
    with branches.write() as session:
        member = add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)
        open_session(session, member, NOW, policy)
        open_session(session, member, NOW + timedelta(minutes=31), policy)
    with branches.read() as session:
        kept = session.scalars(select(StaffSessionRow.created_at)).all()
    assert kept == [NOW + timedelta(minutes=31)]


def test_signing_out_and_disabling_the_account_end_sessions(branches: Store) -> None:
    policy = SessionPolicy()
    with branches.write() as session:
        member = add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)
        first = open_session(session, member, NOW, policy)
        second = open_session(session, member, NOW, policy)
        close_session(session, first.session_id)
        assert resume_session(session, first.session_id, NOW, policy) is None
        disable_account(session, "DESA1", "sari", NOW)
        assert resume_session(session, second.session_id, NOW, policy) is None
        assert authenticate(session, HASHER, "DESA1", "sari", PASSWORD) is None


def test_sessions_have_distinct_random_ids_and_csrf_tokens(branches: Store) -> None:
    with branches.write() as session:
        member = add_account(session, HASHER, "DESA1", "sari", PASSWORD, NOW)
        opened = [open_session(session, member, NOW, SessionPolicy()) for _ in range(20)]
    assert len({o.session_id for o in opened}) == 20
    assert len({o.csrf_token for o in opened}) == 20
    assert all(len(o.session_id) >= 43 for o in opened)


def test_csrf_tokens_must_match_exactly() -> None:
    assert csrf_matches("abc", "abc")
    assert not csrf_matches("abc", "abd")
    assert not csrf_matches("abc", None)
    assert not csrf_matches("abc", "")


def test_a_token_acts_for_its_branch_until_revoked(branches: Store) -> None:
    with branches.write() as session:
        issued = issue_token(session, "DESA2", "skrip malam", NOW)
    with branches.write() as session:
        holder = token_holder(session, issued.secret, NOW)
    assert holder is not None and holder.branch == "DESA2" and holder.name == "skrip malam"
    with branches.write() as session:
        revoke_token(session, "DESA2", issued.prefix, NOW)
    with branches.write() as session:
        assert token_holder(session, issued.secret, NOW) is None


def test_a_token_is_stored_only_as_a_digest(branches: Store) -> None:
    with branches.write() as session:
        issued = issue_token(session, "DESA2", "skrip", NOW)
    with branches.read() as session:
        row = session.scalars(select(ApiTokenRow)).one()
    assert issued.secret not in (row.digest, row.prefix) and len(row.digest) == 64


def test_an_unknown_token_is_nobodys(branches: Store) -> None:
    with branches.write() as session:
        issue_token(session, "DESA2", "skrip", NOW)
        assert token_holder(session, "ukt_not-a-real-token", NOW) is None


def test_a_token_cannot_be_revoked_through_another_branch(branches: Store) -> None:
    with branches.write() as session:
        issued = issue_token(session, "DESA2", "skrip", NOW)
        with pytest.raises(AccountError):
            revoke_token(session, "KOTA", issued.prefix, NOW)


def test_sign_in_is_refused_after_too_many_failures_until_the_window_passes(
        branches: Store) -> None:
    throttle = LoginThrottle(limit=3, window=timedelta(minutes=10))
    key = throttle_key("DESA1", "sari", "127.0.0.1")
    with branches.write() as session:
        for minute in range(3):
            assert not throttle.blocked(session, key, NOW + timedelta(minutes=minute))
            throttle.failed(session, key, NOW + timedelta(minutes=minute))
        assert throttle.blocked(session, key, NOW + timedelta(minutes=3))
        assert not throttle.blocked(session, throttle_key("DESA1", "sari", "10.0.0.9"),
                                    NOW + timedelta(minutes=3))
        assert not throttle.blocked(session, key, NOW + timedelta(minutes=11))


def test_a_successful_sign_in_clears_the_failures(branches: Store) -> None:
    throttle = LoginThrottle(limit=2)
    key = throttle_key("DESA1", "Sari", "127.0.0.1")
    with branches.write() as session:
        throttle.failed(session, key, NOW)
        throttle.succeeded(session, key)
        throttle.failed(session, key, NOW)
        assert not throttle.blocked(session, key, NOW)
