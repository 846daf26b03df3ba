package progress

// Report is one progress report of a long-running call.
type Report struct {
	// Stage names the work ("labelling", "gbdt", "collect", ...). A call
	// may go through several stages, one after the other.
	Stage string
	// Done units of Total are finished. Total 0 marks an event: Stage and
	// Detail say what happened, Done is 0.
	Done, Total int
	// Detail is optional text for people, e.g. the losses of a training
	// round.
	Detail string
}

// Func receives progress reports. A call reports from one goroutine at a
// time, Done increasing within a stage; a Func should return quickly.
type Func func(Report)

// Send calls f with r; a nil Func ignores it.
func (f Func) Send(r Report) {
	if f != nil {
		f(r)
	}
}
