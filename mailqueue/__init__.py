"""The message queue: Submitted/ -> Queue/ -> mailboxes, and the Monitors queues.

How a message travels
---------------------
1. Pickup (`pipe`, run by the queue runner, a cgserver component polling Submitted/ every 0.1 s):
   a complete `.sub` file is parsed (`submission`), its row is committed in state R under the
   file's identity (sha256 of name, inode, size, mtime and content), the Queue/<id>.msg file is
   written whole (a temporary file, flushed, renamed, Queue/ fsynced: a round's files share one
   flush of the file system), the row becomes Q, and only then is the `.sub` file removed (renamed
   hidden at once, unlinked in the background). A crash anywhere leaves either the `.sub` file
   (picked up again: its identity finds the row, so no second message) or a complete Queue file
   (the sweep queues it). Unparseable files are copied to BadFiles/ and renamed `.bad`, with a log
   record. One runner picks up at a time (an advisory lock on PostgreSQL).
2. Delivery (`delivery`, in Celery workers the runner kicks, or inline): a worker claims a batch
   of due messages with a lease (`claimed_until`, SELECT ... FOR UPDATE SKIP LOCKED), routes each
   waiting recipient (`routing`), appends the local copies (`mailstore`), and settles every message
   of the batch in one transaction (failed recipients, waits, non-delivery reports, the finished
   state); a message nobody waits for any more leaves Queue/ after that commit.

No loss, no duplicates: the mailbox protocol
--------------------------------------------
The queue id of a message and the recipient row's id name each copy. With the mailbox locked
(Text: fcntl lock on the .mbox file; MailDir: flock on the folder), a worker

  a. settles appends a dead worker left: every recipient in state A ("appending") for this
     mailbox carries where its bytes were to go, recorded before they were written: for Text the
     offset, length and sha256 of the bytes; for MailDir the message file's name. The bytes at that
     offset hashing right (or the file being in new/ or cur/) means the copy is there: delivered.
     Anything else means it is not: a torn tail is cut off (ftruncate; nothing can follow it,
     since every appender settles first under the same lock) and the recipient waits again;
  b. re-reads the states of its own recipients (another worker whose lease overlapped, or an
     administrator's reject, may have settled them) and keeps only those still waiting;
  c. records its appends (state A with offset/length/sha256 or file name) and COMMITS;
  d. writes and flushes (Text: one write of the mboxrd entries; MailDir: files in tmp/, then
     renamed into new/ once on disk; every mailbox of the pass shares one flush of the file
     system for the data and one for the renames, or fsyncs its own when a pass writes few files);
  e. marks them delivered (state D) and commits, then unlocks.

So the delivery state is durable before an append is considered done, and the mailbox itself
answers for the window between c and e. A worker killed anywhere leaves a state that the next
holder of the lock settles exactly; two workers on the same base directory serialize on the
mailbox lock and step b, so neither ever delivers a copy the other made. Reports are queued in the
same transaction that fails their recipients (so once), and the journal copy is one row per
message under a unique constraint (so once).

Layout of the app: `queuefile` (Queue/ files), `submission` + `pipe` (pickup), `routing`,
`mailstore` + `mboxrd` (mailboxes), `delivery`, `reports`, `sweep`, `runner` (the cgserver
component), `services` + `selectors` (Monitors and CLI), `tasks`.
"""
