package models

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"
)

// ErrClosed is returned by Ingest after Close.
var ErrClosed = errors.New("store closed")

// StoreOptions tunes ingest. Zero values take the defaults.
type StoreOptions struct {
	// BatchWindow is how long the committer waits for more deliveries to
	// join a transaction once one has arrived (default 1 ms). Deliveries
	// that queue while a commit runs join the next one anyway.
	BatchWindow time.Duration
	// MaxBatch caps the deliveries in one transaction (default 256).
	MaxBatch int
	// Committers is how many transactions may run at once on PostgreSQL
	// (default 2); SQLite, which has one writer, always has one. Deliveries
	// are spread over them by meeting, so one meeting's events still commit
	// in the order they arrived. More committers mean smaller batches: on a
	// 2-core machine 2 took 3,050 webhooks/s where 4 took 2,580 and 1, whose
	// batches wait for each other, 2,710.
	Committers int
	// RepeatWindow is how far back an identical body marks a delivery as a
	// repeat in the log (default 10 minutes).
	RepeatWindow time.Duration
	// StaleAfter is how long a live session may be silent before it is
	// shown as stale (default DefaultStaleAfter).
	StaleAfter time.Duration
	// ReadyEvery is how long Ready reuses the answer of its write probe
	// (default DefaultReadyEvery).
	ReadyEvery time.Duration
	// Decode reads a stored body again for the projector: the providers'
	// decoders. Without it the store logs deliveries but applies none.
	Decode Decoder
	// ProjectBatch caps the events the projector applies in one
	// transaction (default 2,000).
	ProjectBatch int
	// Logger takes the projector's warnings (default slog.Default()).
	Logger *slog.Logger
	// Retention removes applied events received longer ago than this from
	// the log (see prune); 0 keeps everything. The models stay.
	Retention time.Duration
	// RefusalsKept is how many refused deliveries are kept whole, the
	// newest (default DefaultRefusalsKept); RefusalsPerMinute is how many
	// an instance keeps whole a minute, the first (default
	// DefaultRefusalsPerMinute). Every refusal is counted. See
	// RecordRefusal.
	RefusalsKept      int
	RefusalsPerMinute int
}

// Result tells what became of one delivery.
type Result struct {
	// EventID is the event log id of the delivery (of the earlier one, for a
	// duplicate).
	EventID   uint64
	Provider  string
	Type      string
	MeetingID string
	Outcome   string
	Repeat    bool
	// failure is the kind of job applying it failed, a Failed* label of
	// the failures chart ("" for none).
	failure string
}

// Store logs deliveries, folds them into the models and answers queries.
// Deliveries are logged in groups by committer goroutines: each Ingest call
// returns once the transaction holding its event log row has committed. A
// projector goroutine applies the log to the models behind them (see
// project).
type Store struct {
	db      *gorm.DB
	opts    StoreOptions
	queues  []chan *pending
	closing chan struct{}
	done    chan struct{}
	// committed wakes Follow on SQLite after each commit of the projector.
	committed chan struct{}
	// logged wakes the projector after each commit of the log.
	logged chan struct{}
	// progress is the projector's progress, which Applied and Settle wait on.
	progress progress
	// writing orders the committers' and the projector's transactions on
	// SQLite, which has one writer: waiting here costs nothing, where
	// waiting on the database's lock costs a busy retry loop.
	writing sync.Mutex
	// ready is Ready's cached write probe.
	ready readiness
	// refusals wait here for the refusal writer (see refusals.go), which
	// alone uses refusalWarned and countsPruned.
	refusals      *refusalQueue
	refusalWarned time.Time
	countsPruned  time.Time
	// health caches the deliveries counted in past minutes (see
	// provider_health.go).
	health healthCache
	// searchIdx is which indexes search uses, once looked up.
	searchIdx searchIndex
}

type pending struct {
	d      Delivery
	result chan outcome
}

// newPending takes a delivery in, with its ids bounded (see boundIDs).
func newPending(d Delivery) *pending {
	return &pending{d: boundIDs(d), result: make(chan outcome, 1)}
}

type outcome struct {
	res Result
	err error
}

// NewStore starts a store on a migrated database. Close stops it.
func NewStore(db *gorm.DB, opts StoreOptions) *Store {
	if opts.BatchWindow == 0 {
		opts.BatchWindow = time.Millisecond
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.RepeatWindow == 0 {
		opts.RepeatWindow = 10 * time.Minute
	}
	if opts.ReadyEvery <= 0 {
		opts.ReadyEvery = DefaultReadyEvery
	}
	if opts.ProjectBatch <= 0 {
		opts.ProjectBatch = 2000
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.RefusalsKept <= 0 {
		opts.RefusalsKept = DefaultRefusalsKept
	}
	if opts.RefusalsPerMinute <= 0 {
		opts.RefusalsPerMinute = DefaultRefusalsPerMinute
	}
	switch {
	case !isPostgres(db):
		opts.Committers = 1
	case opts.Committers <= 0:
		opts.Committers = 2
	}
	s := &Store{
		db:        db,
		opts:      opts,
		queues:    make([]chan *pending, opts.Committers),
		closing:   make(chan struct{}),
		done:      make(chan struct{}),
		committed: make(chan struct{}, 1),
		logged:    make(chan struct{}, 1),
		progress:  newProgress(),
		refusals:  newRefusalQueue(opts.RefusalsPerMinute),
	}
	var wg sync.WaitGroup
	for i := range s.queues {
		s.queues[i] = make(chan *pending, opts.MaxBatch*4)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.commitLoop(s.queues[i])
		}()
	}
	if opts.Decode != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.project()
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.writeRefusals()
	}()
	if opts.Retention > 0 || isPostgres(db) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.maintainLog()
		}()
	}
	go func() {
		wg.Wait()
		close(s.done)
	}()
	return s
}

// queueFor picks the committer of a delivery: by meeting, so a meeting's
// events keep their order, else by body.
func (s *Store) queueFor(d Delivery) chan *pending {
	if len(s.queues) == 1 {
		return s.queues[0]
	}
	h := fnv.New32a()
	if d.Event.MeetingID != "" {
		h.Write([]byte(d.Event.MeetingID))
	} else {
		h.Write(d.Body)
	}
	return s.queues[h.Sum32()%uint32(len(s.queues))]
}

// DB returns the store's database handle.
func (s *Store) DB() *gorm.DB { return s.db }

// Ingest stores the delivery in the event log. It returns once the
// transaction holding its row has committed, with outcome OutcomeAccepted
// (or OutcomeDuplicate for a provider event id already logged); an error
// means the delivery may not be stored and the sender should retry. The
// projector applies it to the models behind the answer (Applied waits for
// that). A delivery with an id over MaxIDLength bytes is kept in the log
// only, with outcome OutcomeStored and the problem noted.
func (s *Store) Ingest(ctx context.Context, d Delivery) (Result, error) {
	p := newPending(d)
	select {
	case s.queueFor(p.d) <- p:
	case <-s.closing:
		return Result{}, ErrClosed
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case o := <-p.result:
		return o.res, o.err
	case <-s.done:
		// The committer finished; it may have taken this delivery first.
		select {
		case o := <-p.result:
			return o.res, o.err
		default:
			return Result{}, ErrClosed
		}
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Close commits what is queued, writes the refusals recorded, and stops
// the committers, the projector and the refusal writer.
// Ingest calls after Close fail with ErrClosed.
func (s *Store) Close() {
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	<-s.done
}

func (s *Store) commitLoop(queue chan *pending) {
	for {
		var first *pending
		select {
		case first = <-queue:
		case <-s.closing:
			for {
				select {
				case p := <-queue:
					s.commit([]*pending{p})
				default:
					return
				}
			}
		}
		s.commit(s.gather(queue, first))
	}
}

// gather collects what is already queued, then waits up to the batch
// window for more.
func (s *Store) gather(queue chan *pending, first *pending) []*pending {
	batch := []*pending{first}
	timer := time.NewTimer(s.opts.BatchWindow)
	defer timer.Stop()
	for len(batch) < s.opts.MaxBatch {
		select {
		case p := <-queue:
			batch = append(batch, p)
			continue
		default:
		}
		select {
		case p := <-queue:
			batch = append(batch, p)
		case <-timer.C:
			return batch
		case <-s.closing:
			return batch
		}
	}
	return batch
}

// commit writes a batch to the event log in one transaction. A failure
// that may pass (a lost connection, a serialization failure) is retried
// twice; any other splits the batch into transactions of one, so one
// delivery the database refuses costs the others nothing.
func (s *Store) commit(batch []*pending) {
	var results []Result
	var err error
	for attempt := 0; attempt <= 2; attempt++ {
		err = s.writeTx(context.Background(), func(tx *gorm.DB) error {
			var err error
			results, err = s.logBatch(tx, batch)
			return err
		})
		if err == nil || !transient(err) {
			break
		}
	}
	if err != nil && !transient(err) && len(batch) > 1 {
		for _, p := range batch {
			s.commit([]*pending{p})
		}
		return
	}
	for i, p := range batch {
		if err != nil {
			p.result <- outcome{err: fmt.Errorf("commit: %w", err)}
		} else {
			p.result <- outcome{res: results[i]}
		}
	}
	if err == nil {
		poke(s.logged)
	}
}

// writeTx runs fn in a transaction, one at a time on SQLite.
//
// On SQLite the transaction starts with a write, which takes the
// database's write lock at once, waiting for another process's writer (a
// rebuild or reapply command beside the server) for the busy timeout. A
// transaction that read first would instead fail at its first write with
// SQLITE_BUSY_SNAPSHOT if that writer committed in between; the driver's
// _txlock=immediate, which would do the same, is not applied when
// _time_format is set (glebarez/go-sqlite v1.21).
func (s *Store) writeTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if isPostgres(s.db) {
		return s.db.WithContext(ctx).Transaction(fn)
	}
	s.writing.Lock()
	defer s.writing.Unlock()
	return s.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		// A projector pass on this connection may have left it relaxed.
		if err := conn.Exec("PRAGMA synchronous = FULL").Error; err != nil {
			return err
		}
		return sqliteTx(conn, fn)
	})
}

// sqliteTx is a write transaction on SQLite that takes the write lock first.
func sqliteTx(conn *gorm.DB, fn func(tx *gorm.DB) error) error {
	return conn.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE projector_position SET id = 1 WHERE id = 1").Error; err != nil {
			return err
		}
		return fn(tx)
	})
}

// projectorTx is writeTx for a projector pass, whose commit need not wait
// for the disk: everything it writes (models, outcomes, change feed, and
// its position in the log) derives from the event log and commits
// together, so a pass lost with the machine's power is applied again from
// the log. On SQLite the pass commits with synchronous=NORMAL, which in WAL
// mode survives a crash of the process and skips the fsync; the next
// durable commit syncs its frames too. PostgreSQL's passes keep
// synchronous commit: an asynchronous commit lost in a crash of the server
// could give the change feed's numbers out again, and followers skip numbers
// they have seen.
func (s *Store) projectorTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if isPostgres(s.db) {
		return s.writeTx(ctx, fn)
	}
	s.writing.Lock()
	defer s.writing.Unlock()
	return s.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("PRAGMA synchronous = NORMAL").Error; err != nil {
			return err
		}
		err := sqliteTx(conn, fn)
		// Back to durable for whoever takes the connection next (writeTx
		// sets it again anyway, other writers do not).
		return errors.Join(err, conn.WithContext(context.Background()).Exec("PRAGMA synchronous = FULL").Error)
	})
}

// poke wakes whoever waits on ch, without blocking.
func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
