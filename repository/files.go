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

// FileStore implements files.Store.
type FileStore struct{ db *gorm.DB }

var _ files.Store = (*FileStore)(nil)

// NewFileStore returns the files' metadata store on db.
func NewFileStore(db *gorm.DB) *FileStore { return &FileStore{db: db} }

const fileNoun = "tệp"

// AddFile implements files.Store.
func (s *FileStore) AddFile(ctx context.Context, f *files.File, e *dossier.Entry) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
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
		return s.record(tx, f, f.Current, e)
	})
}

// AddVersion implements files.Store. The version number comes from the
// file's row, updated in the same statement that claims it, so two
// uploads at once get two numbers.
func (s *FileStore) AddVersion(ctx context.Context, f *files.File, v *files.Version, e *dossier.Entry) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&fileRow{}).Where("id = ?", f.ID).Update("version", gorm.Expr("version + 1"))
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
		return s.record(tx, f, *v, e)
	})
}

// record appends the history entry of version v of f and marks the
// dossier: digitised once a component version is flagged so, with an
// electronic result once a result is stored. The first instant is kept.
func (s *FileStore) record(tx *gorm.DB, f *files.File, v files.Version, e *dossier.Entry) error {
	e.Details["file_id"] = f.ID
	e.Details["version"] = v.Version
	if err := appendHistory(tx, e); err != nil {
		return err
	}
	at := v.UploadedAt.UTC()
	var set map[string]any
	switch {
	case f.Kind == files.KindResult:
		set = map[string]any{"e_result": true, "e_result_at": gorm.Expr("COALESCE(e_result_at, ?)", at)}
	case v.Digitised:
		set = map[string]any{"digitised": true, "digitised_at": gorm.Expr("COALESCE(digitised_at, ?)", at)}
	default:
		return nil
	}
	if err := tx.Model(&dossierRow{}).Where("id = ?", f.DossierID).Updates(set).Error; err != nil {
		return translate(err, dossierNoun)
	}
	return nil
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
