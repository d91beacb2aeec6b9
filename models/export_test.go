package models

// CommitBatch commits deliveries as one batch, in the order given, as a
// committer does with what it gathered, and returns their results.
func (s *Store) CommitBatch(ds []Delivery) ([]Result, error) {
	batch := make([]*pending, len(ds))
	for i, d := range ds {
		batch[i] = newPending(d)
	}
	s.commit(batch)
	out := make([]Result, len(ds))
	for i, p := range batch {
		o := <-p.result
		if o.err != nil {
			return nil, o.err
		}
		out[i] = o.res
	}
	return out, nil
}
