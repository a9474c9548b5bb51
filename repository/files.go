package repository

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/files"
)

// fileRow maps dossier_files: a file and the number of its current version.
type fileRow struct {
	ID          int64 `gorm:"primaryKey"`
	DossierID   int64
	Kind        string
	ComponentID *int64
	Version     int
	CreatedAt   time.Time
}

func (fileRow) TableName() string { return "dossier_files" }

// versionRow maps file_versions, which is append-only.
type versionRow struct {
	ID             int64 `gorm:"primaryKey"`
	FileID         int64
	Version        int
	Name           string
	ContentType    string
	Size           int64
	SHA256         string `gorm:"column:sha256"`
	Digitised      bool
	Reused         bool
	FromNationalDB bool `gorm:"column:from_national_db"`
	UploadedAt     time.Time
	UploadedBy     string
}

func (versionRow) TableName() string { return "file_versions" }

func (r versionRow) asDomain() files.Version {
	return files.Version{Version: r.Version, Name: r.Name, ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256,
		Digitised: r.Digitised, Reused: r.Reused, FromNationalDB: r.FromNationalDB, UploadedAt: r.UploadedAt.UTC(),
		UploadedBy: r.UploadedBy}
}

func versionRowOf(fileID int64, v files.Version) versionRow {
	return versionRow{FileID: fileID, Version: v.Version, Name: v.Name, ContentType: v.ContentType, Size: v.Size,
		SHA256: v.SHA256, Digitised: v.Digitised, Reused: v.Reused, FromNationalDB: v.FromNationalDB,
		UploadedAt: v.UploadedAt.UTC(), UploadedBy: v.UploadedBy}
}

// FileStore implements files.Store. Every upload also applies its change
// of the dossier's contribution to the statistics rollups (ADR 0006), in
// the same transaction, with the dossier's row locked from the start.
type FileStore struct {
	db   *gorm.DB
	zone *rollupZone // the zone of the rollups
}

var _ files.Store = (*FileStore)(nil)

// NewFileStore returns the files' metadata store on db.
func NewFileStore(db *gorm.DB) *FileStore { return &FileStore{db: db, zone: &rollupZone{}} }

// lockDossier reads the rollup facts of dossier id, locking its row until
// tx ends (lockRow): the row the upload marks, and whose contribution it
// changes, cannot change meanwhile.
func lockDossier(tx *gorm.DB, id int64) (dossierRow, error) {
	var r dossierRow
	if err := lockRow(tx).Select(factColumns).Where("id = ?", id).Take(&r).Error; err != nil {
		return dossierRow{}, translate(err, dossierNoun)
	}
	return r, nil
}

const fileNoun = "tệp"

// AddFile implements files.Store.
func (s *FileStore) AddFile(ctx context.Context, f *files.File, e *dossier.Entry) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
		old, err := lockDossier(tx, f.DossierID)
		if err != nil {
			return err
		}
		r := fileRow{DossierID: f.DossierID, Kind: string(f.Kind), ComponentID: f.ComponentID, Version: 1,
			CreatedAt: f.Current.UploadedAt.UTC()}
		if err := tx.Create(&r).Error; err != nil {
			return translate(err, fileNoun)
		}
		f.ID = r.ID
		v := versionRowOf(r.ID, f.Current)
		if err := tx.Create(&v).Error; err != nil {
			return translate(err, fileNoun)
		}
		f.Versions = []files.Version{f.Current}
		return s.record(ctx, tx, &old, f, f.Current, e)
	})
}

// AddVersion implements files.Store. The version number comes from the
// file's row, updated in the same statement that claims it, so two
// uploads at once get two numbers.
func (s *FileStore) AddVersion(ctx context.Context, f *files.File, v *files.Version, e *dossier.Entry) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
		old, err := lockDossier(tx, f.DossierID)
		if err != nil {
			return err
		}
		res := tx.Model(&fileRow{}).Where("id = ? AND dossier_id = ?", f.ID, f.DossierID).Update("version", gorm.Expr("version + 1"))
		if res.Error != nil {
			return translate(res.Error, fileNoun)
		}
		if res.RowsAffected == 0 {
			return domain.NotFound(fileNoun)
		}
		var r fileRow
		if err := tx.Select("version").Where("id = ?", f.ID).Take(&r).Error; err != nil {
			return translate(err, fileNoun)
		}
		v.Version = r.Version
		row := versionRowOf(f.ID, *v)
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, fileNoun)
		}
		return s.record(ctx, tx, &old, f, *v, e)
	})
}

// record appends the history entry of version v of f and marks the
// dossier, whose row old was read locked: it has a component file, one
// digitised, one reused or from a national database, an electronic result,
// each since the first such version (the first instant is kept). It adds
// the change of the dossier's contribution and the version itself to the
// rollups.
func (s *FileStore) record(ctx context.Context, tx *gorm.DB, old *dossierRow, f *files.File, v files.Version, e *dossier.Entry) error {
	e.Details["file_id"] = f.ID
	e.Details["version"] = v.Version
	if err := appendHistory(tx, e); err != nil {
		return err
	}
	at := v.UploadedAt.UTC()
	was := factsOf(old)
	now := was
	set := map[string]any{}
	first := func(col string, cur **time.Time) {
		if *cur == nil {
			*cur = &at
			set[col+"_at"] = gorm.Expr("COALESCE("+col+"_at, ?)", at)
		}
	}
	switch {
	case f.Kind == files.KindResult:
		first("e_result", &now.EResultAt)
		if len(set) > 0 {
			set["e_result"] = true
		}
	default:
		first("component_file", &now.ComponentFileAt)
		if v.Reused || v.FromNationalDB {
			first("reused", &now.ReusedAt)
		}
		if v.Digitised {
			first("digitised", &now.DigitisedAt)
			if _, ok := set["digitised_at"]; ok {
				set["digitised"] = true
			}
		}
	}
	// The upload is the dossier's last change (§14.2), whether or not it
	// marks it; a later change is never moved back. UpdateColumns: the
	// upload's own time, not GORM's wall-clock updated_at.
	marks := len(set) > 0
	set["changed_at"] = gorm.Expr("CASE WHEN changed_at IS NULL OR changed_at < ? THEN ? ELSE changed_at END", at, at)
	if err := tx.Model(&dossierRow{}).Where("id = ?", f.DossierID).UpdateColumns(set).Error; err != nil {
		return translate(err, dossierNoun)
	}
	if err := markDVCQG(tx, f.DossierID); err != nil {
		return err
	}
	loc, err := s.zone.get(ctx, tx)
	if err != nil {
		return err
	}
	d := rollupDelta{}
	if marks {
		d.add(was, -1, loc)
		d.add(now, 1, loc)
	}
	d.addFile(&now, at, v.Size, 1, loc)
	return d.apply(ctx, tx)
}

// fileWithVersion is a file row joined with its current version and its
// component's name.
type fileWithVersion struct {
	ID             int64
	DossierID      int64
	Kind           string
	ComponentID    *int64
	Version        int
	Name           string
	ContentType    string
	Size           int64
	SHA256         string `gorm:"column:sha256"`
	Digitised      bool
	Reused         bool
	FromNationalDB bool `gorm:"column:from_national_db"`
	UploadedAt     time.Time
	UploadedBy     string
	ComponentName  *string
}

// selectFiles selects the files of a dossier with their current version
// and component name.
func (s *FileStore) selectFiles(ctx context.Context, dossierID int64) *gorm.DB {
	return conn(ctx, s.db).Table("dossier_files f").
		Select(`f.id, f.dossier_id, f.kind, f.component_id, f.version,
 v.name, v.content_type, v.size, v.sha256, v.digitised, v.reused, v.from_national_db, v.uploaded_at, v.uploaded_by,
 c.name AS component_name`).
		Joins("JOIN file_versions v ON v.file_id = f.id AND v.version = f.version").
		Joins("LEFT JOIN procedure_components c ON c.id = f.component_id").
		Where("f.dossier_id = ?", dossierID)
}

func (r fileWithVersion) asDomain() files.File {
	return files.File{ID: r.ID, DossierID: r.DossierID, Kind: files.Kind(r.Kind), ComponentID: r.ComponentID,
		ComponentName: deref(r.ComponentName), Current: files.Version{Version: r.Version, Name: r.Name,
			ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, Digitised: r.Digitised, Reused: r.Reused,
			FromNationalDB: r.FromNationalDB, UploadedAt: r.UploadedAt.UTC(), UploadedBy: r.UploadedBy}}
}

// List implements files.Store.
func (s *FileStore) List(ctx context.Context, dossierID int64, kind files.Kind, componentID *int64) ([]files.File, error) {
	q := s.selectFiles(ctx, dossierID)
	if kind != "" {
		q = q.Where("f.kind = ?", string(kind))
	}
	if componentID != nil {
		q = q.Where("f.component_id = ?", *componentID)
	}
	var rows []fileWithVersion
	if err := q.Order("f.id").Scan(&rows).Error; err != nil {
		return nil, translate(err, fileNoun)
	}
	out := make([]files.File, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.asDomain())
	}
	return out, nil
}

// Get implements files.Store.
func (s *FileStore) Get(ctx context.Context, dossierID, id int64) (files.File, error) {
	var rows []fileWithVersion
	if err := s.selectFiles(ctx, dossierID).Where("f.id = ?", id).Limit(1).Scan(&rows).Error; err != nil {
		return files.File{}, translate(err, fileNoun)
	}
	if len(rows) == 0 {
		return files.File{}, translate(gorm.ErrRecordNotFound, fileNoun)
	}
	f := rows[0].asDomain()
	var vs []versionRow
	if err := conn(ctx, s.db).Where("file_id = ?", id).Order("version").Find(&vs).Error; err != nil {
		return files.File{}, translate(err, fileNoun)
	}
	for _, v := range vs {
		f.Versions = append(f.Versions, v.asDomain())
	}
	return f, nil
}
