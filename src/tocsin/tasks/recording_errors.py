"""The texts of what fails in the recordings and replays API and their background work.

Kapacitor's texts are reproduced as Kapacitor writes them; the others are Tocsin's.
"""

from __future__ import annotations

# Kapacitor's texts.
BAD_RECORDING_ID = "recording ID must contain only letters, numbers, '-', '.' and '_'. {id}"
BAD_REPLAY_ID = "replay ID must contain only letters, numbers, '-', '.' and '_'. {id}"
BAD_LIVE_REPLAY_ID = "replay ID must match ^[-\\._\\p{{L}}0-9]+$ {id}"
BAD_LIVE_QUERY_ID = "recording ID must match ^[-\\._\\p{{L}}0-9]+$ {id}"
NO_RECORDING = "no recording exists"
NO_REPLAY = "no replay exists"
RECORDING_EXISTS = "recording already exists"
REPLAY_EXISTS = "replay already exists"
NO_START = "must provide start time"
NO_QUERY = "must provide query"
SHUTDOWN = "unexpected Kapacitor shutdown"
BATCH_ON_STREAM = "cannot replay batch against stream task: {task}"
WRONG_TYPE = "found recording of wrong type, check task type matches recording."
REPLAY_NOT_FOR_TASK = "replay {id} is not for task: {task}"  # GET /tasks/<id>?replay-id=
# Tocsin's texts.
TOO_BIG = "recording stopped at its size limit: more than {limit} bytes of data"
NOT_BATCH = "task {task} is a stream task: only a batch task's queries can be recorded"
STILL_RUNNING = "recording {id} has not finished"
BAD_TYPE = "unknown TaskType {value}"
BAD_CLOCK = "unknown Clock {value}"
