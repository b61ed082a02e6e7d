-- A key is first claimed (confirmed = false, claimed_until = a lease) and confirmed once its
-- message was processed. A claim that was never confirmed, because its consumer died in the middle
-- of processing, can be taken over once the lease has run out, so the message is not skipped.
alter table processed_messages add column confirmed boolean default true not null;
alter table processed_messages add column claimed_until timestamp with time zone;
