"""`hoctap run --workers 2` on PostgreSQL and Redis against the fake Bot API: the webhook's
updates are spread over two processes, a user's dialog goes on whichever worker takes the
next update, and a worker killed with SIGKILL is started again while the other serves.

Also: what --workers refuses (polling, SQLite), in one line each."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PG_URL, REDIS_URL
from tests.test_e2e import (
    AN,
    TOKEN,
    Harness,
    JsonDict,
    _update_ids,
    callback_update,
    clean_env,
    fake_api,  # noqa: F401  (fixture)
    free_port,
    harness,  # noqa: F401  (fixture)
    message_update,
    post_update,
    run_cli_sync,
    sqlite_url,
)

SECRET = "w0rkers"
HANDLED = re.compile(r"\[(\d+)\] aiogram\.event: Update id=(\d+) is handled")
LISTENING = "webhook server on"
needs_cluster = pytest.mark.skipif(
    PG_URL is None or REDIS_URL is None,
    reason="needs HOCTAP_TEST_DATABASE_URL and HOCTAP_TEST_REDIS_URL",
)
on_postgres = pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)


class Cluster:
    """Two workers behind one webhook port; updates are posted as Telegram would."""

    def __init__(self, running: Harness, port: int) -> None:
        self.harness = running
        self.url = f"http://127.0.0.1:{port}/telegram"

    def log(self) -> str:
        return self.harness.bot.stderr()

    async def until_logged(self, fragment: str, times: int) -> None:
        def enough(_: object) -> bool | None:
            return self.log().count(fragment) >= times or None

        await self.harness.wait_for(enough, f"{fragment!r} {times} times in the log")

    async def post(self, update: JsonDict) -> int:
        """Post one update on a new connection (the kernel picks the worker); its id."""
        update_id = next(_update_ids)
        self.harness.since = len(self.harness.api.requests)
        status = await post_update(self.url, update | {"update_id": update_id}, SECRET)
        assert status == 200
        return update_id

    def handled_by(self) -> dict[int, int]:
        """Update id -> the pid of the worker that handled it."""
        return {int(update): int(pid) for pid, update in HANDLED.findall(self.log())}

    async def language_round(self) -> tuple[int, int]:
        """/language, then the Vietnamese button: the dialog must go on wherever the press
        lands. The two update ids."""
        asked = await self.post(message_update("/language", AN))
        await self.harness.reply("sendMessage", "Chọn ngôn ngữ")
        prompt = self.harness.showing("Chọn ngôn ngữ", AN["id"])
        pressed = await self.post(callback_update(prompt, "🇻🇳 Tiếng Việt", AN))
        await self.harness.reply("editMessageText", "Menu chính")
        return asked, pressed


@pytest.fixture
async def cluster(
    harness: Harness,  # noqa: F811
    migrated_url: str,
    redis_url: str | None,
) -> Cluster:
    port = free_port()
    harness.settings |= {
        "DATABASE_URL": migrated_url,
        "REDIS_URL": redis_url or "",
        "WEBHOOK_URL": "https://example.invalid/telegram",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": SECRET,
    }
    await harness.start("--workers", "2")
    made = Cluster(harness, port)
    await made.until_logged(LISTENING, 2)
    return made


@needs_cluster
@on_postgres
@pytest.mark.parametrize("redis_url", ["redis"], indirect=True)
async def test_two_workers_share_each_users_dialog_and_survive_a_killed_one(
    cluster: Cluster,
) -> None:
    api = cluster.harness.api
    assert [r["method"] for r in api.requests].count("setWebhook") == 1  # the parent's only

    rounds = [await cluster.language_round() for _ in range(12)]

    handled = cluster.handled_by()
    assert len(set(handled.values())) == 2, "every update went to one worker"
    crossed = [(a, b) for a, b in rounds if handled[a] != handled[b]]
    assert crossed, "no dialog went on in the other worker"  # 1 in 4,096 by chance

    victim = handled[rounds[-1][1]]
    os.kill(victim, signal.SIGKILL)
    await cluster.until_logged("exited with -9: starting it again", 1)
    await cluster.until_logged(LISTENING, 3)
    await cluster.language_round()  # served all along, and by the new one in turn
    assert "Traceback" not in cluster.log()


@needs_cluster
@on_postgres
@pytest.mark.parametrize("redis_url", ["redis"], indirect=True)
async def test_the_whole_cluster_restarts_mid_dialog_and_the_user_goes_on(
    cluster: Cluster,
) -> None:
    """A deploy: SIGTERM to the parent stops both workers (each finishing its updates);
    started again, a button pressed before the restart still works."""
    await cluster.post(message_update("/language", AN))
    await cluster.harness.reply("sendMessage", "Chọn ngôn ngữ")
    prompt = cluster.harness.showing("Chọn ngôn ngữ", AN["id"])

    assert await cluster.harness.bot.stop() == 0, cluster.log()
    await cluster.harness.start("--workers", "2")
    await cluster.until_logged(LISTENING, 2)
    await cluster.post(callback_update(prompt, "🇬🇧 English", AN))

    edited = await cluster.harness.reply("editMessageText", "Main menu")
    assert edited["params"]["message_id"] == prompt["message_id"]
    assert "Traceback" not in cluster.log()


def refusal(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(BOT_TOKEN=TOKEN, **settings)
    return run_cli_sync(tmp_path, env, "--workers", "2")


def test_workers_need_a_webhook(tmp_path: Path) -> None:
    done = refusal(tmp_path, DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1/none")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("--workers needs WEBHOOK_URL")


def test_workers_need_postgresql(tmp_path: Path) -> None:
    done = refusal(
        tmp_path, DATABASE_URL=sqlite_url(tmp_path), WEBHOOK_URL="https://example.invalid/t"
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("--workers needs PostgreSQL")
