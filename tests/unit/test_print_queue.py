"""The briefing PDF's print queue: one print at a time, taken in turn, one per client."""

from __future__ import annotations

import threading
import time

from dashboard.pdf import PrintQueue


def _until_waiting(queue: PrintQueue, count: int) -> None:
    """Until ``count`` clients wait (polled: the threads' start is up to the OS)."""
    for _attempt in range(500):
        if len(queue._waiting) == count:  # noqa: SLF001 - the queue's own state
            return
        time.sleep(0.01)
    raise AssertionError(f"never {count} waiting")


def test_a_client_cannot_queue_twice_and_the_next_client_gets_the_next_turn() -> None:
    queue = PrintQueue(capacity=3)
    assert queue.enter("greedy", timeout=1)  # printing
    assert not queue.enter("greedy", timeout=0.1)  # its second request: refused at once
    order: list[str] = []

    def reader() -> None:
        if queue.enter("reader", timeout=5):
            order.append("reader")
            queue.leave("reader")

    waiting = threading.Thread(target=reader)
    waiting.start()
    _until_waiting(queue, 1)  # the reader waits behind the greedy client's print
    queue.leave("greedy")
    # The greedy client asks again at once; the reader's turn comes first.
    again = threading.Thread(
        target=lambda: order.append("greedy") if queue.enter("greedy", 5) else None
    )
    again.start()
    waiting.join(timeout=5)
    again.join(timeout=5)
    queue.leave("greedy")
    assert order == ["reader", "greedy"]


def test_a_full_queue_refuses_and_a_timed_out_wait_leaves_it() -> None:
    queue = PrintQueue(capacity=1)
    assert queue.enter("a", timeout=1)
    results: dict[str, bool] = {}
    waiter = threading.Thread(target=lambda: results.update(b=queue.enter("b", timeout=1.0)))
    waiter.start()
    _until_waiting(queue, 1)
    assert not queue.enter("c", timeout=0.1)  # one waiting already: full
    waiter.join()
    assert results == {"b": False}  # "a" never left: "b" gave up after its timeout
    queue.leave("a")
    assert queue.enter("c", timeout=1)  # the queue is free again
