package domain

// decideCommand dispatches a command to its handler. It is the table of
// contents of the case's use cases: each line names the command, who may
// give it and the events it records. Dispatches and the bundle's completion
// are never commanded: Decide appends them automatically (rule C8).
func decideCommand(d *decision, cmd Command) ([]Event, error) {
	switch c := cmd.(type) {
	// Intake.
	case *SubmitCase: // applicant, window -> CaseSubmitted, CasePrechecked
		return d.submit(c)
	case *RefuseCase: // window -> CaseRefused (不予受理)
		return d.refuse(c)
	case *RequestSupplement: // window at intake, department after -> SupplementRequested (一次性告知)
		return d.requestSupplement(c)
	case *ReceiveSupplement: // window, department -> SupplementReceived
		return d.receiveSupplement(c)
	case *AcceptCase: // window -> CaseAccepted, ItemDispatched...
		return d.accept(c)
	case *AcceptWithTolerance: // window -> CaseAccepted (容缺受理), ItemDispatched...
		return d.acceptWithTolerance(c)
	case *SupplyToleranceMaterials: // window -> ToleranceMaterialsReceived
		return d.supplyTolerance(c)
	case *LapseTolerance: // system -> CaseTerminated
		return d.lapseTolerance(c)

	// Items, by the officers of their department.
	case *AcceptItem: // department -> ItemAccepted
		return d.acceptItem(c)
	case *RecordStep: // department -> StepRecorded (承办, 审核, 批准)
		return d.recordStep(c)
	case *SuspendItem: // department -> ItemSuspended
		return d.suspend(c)
	case *ResumeItem: // department -> ItemResumed
		return d.resume(c)
	case *StartSpecialProcedure: // department -> SpecialProcedureStarted
		return d.startSpecial(c)
	case *EndSpecialProcedure: // department -> SpecialProcedureEnded
		return d.endSpecial(c)
	case *ExtendDeadline: // department -> DeadlineExtended (延长审批)
		return d.extend(c)
	case *DecideItem: // department -> ItemDecided, ItemDispatched..., BundleCompleted
		return d.decideItem(c)
	case *IssueCertificate: // department -> CertificateIssued
		return d.issueCertificate(c)

	// The end of a case.
	case *WithdrawCase: // applicant -> CaseWithdrawn
		return d.withdrawCase(c)
	case *WithdrawItems: // applicant -> ItemsWithdrawn, BundleCompleted
		return d.withdrawItems(c)
	case *TerminateCase: // window, supervisor -> CaseTerminated
		return d.terminate(c)
	case *DeliverResults: // window, system -> ResultsDelivered
		return d.deliver(c)

	// Ratings (好差评) and their handling.
	case *RateCase: // applicant -> CaseRated
		return d.rate(c)
	case *CallBackRating: // supervisor, department -> RatingCalledBack
		return d.callBack(c)
	case *TriageRating: // supervisor -> RatingTriaged
		return d.triage(c)
	case *ReportRectification: // department -> RectificationReported
		return d.reportRectification(c)
	case *AppealRating: // department -> RatingAppealed
		return d.appeal(c)
	case *DecideAppeal: // supervisor -> AppealDecided
		return d.decideAppeal(c)
	case *SignOffRating: // supervisor -> RatingSignedOff
		return d.signOff(c)

	// Complaints, supervision, corrections.
	case *FileComplaint: // applicant -> ComplaintFiled
		return d.fileComplaint(c)
	case *AnswerComplaint: // supervisor, department -> ComplaintAnswered
		return d.answerComplaint(c)
	case *RaiseWarning: // system (deadline watcher) -> WarningRaised
		return d.raiseWarning(c)
	case *IssueDuban: // supervisor -> DubanIssued
		return d.issueDuban(c)
	case *CloseDuban: // supervisor -> DubanClosed
		return d.closeDuban(c)
	case *CorrectEvent: // window, department, supervisor -> EventCorrected
		return d.correct(c)
	}
	return nil, Errorf(CodeInvalid, "unknown command %T", cmd)
}
