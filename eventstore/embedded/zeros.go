package embedded

// The bounds of zeroAhead's steps.
const (
	zeroStepMin = 4 << 10
	zeroStepMax = 1 << 20
)

// zeroAhead writes zeros into seg's file after off, the end of the frame
// just written, once frames reach past what the file holds: an fsync that
// grows a file commits the file system's journal, one that overwrites
// written blocks does not (figures under "Tuning" in the package comment).
// The log grows in steps of zeros, each the size of what the segment holds
// so far, between 4 KiB and 1 MiB: a step costs one slower fsync, and a
// store that has written little has written few zeros. The zeros are part
// of the file, not of the log (see "Log" in the package comment).
func (w *writer) zeroAhead(seg *segment, off int64) error {
	if off <= seg.zeroed {
		return nil
	}
	n := min(max(off, zeroStepMin), zeroStepMax, w.s.opts.SegmentSize-off)
	if n <= 0 {
		seg.zeroed = off
		return nil
	}
	if w.zeros == nil {
		w.zeros = make([]byte, zeroStepMax)
	}
	if _, err := seg.f.WriteAt(w.zeros[:n], off); err != nil {
		return err
	}
	seg.zeroed = off + n
	return nil
}
