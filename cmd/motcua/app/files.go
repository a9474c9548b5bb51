package app

import (
	"context"
	"io"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/storage"
)

// receiveBlob is storage.Receive in the files service's terms.
func receiveBlob(ctx context.Context, store files.BlobStore, body io.Reader, max int64) (files.Blob, error) {
	r, err := storage.Receive(ctx, store, body, max)
	if err != nil {
		return files.Blob{}, err
	}
	return files.Blob{Tmp: r.Tmp, SHA256: r.SHA256, Size: r.Size, ContentType: r.ContentType}, nil
}

// componentsOf answers the files service's question about a procedure's
// component from the catalogue.
type componentsOf struct{ cat *catalog.Service }

func (c componentsOf) ComponentOf(ctx context.Context, procedureCode string, id int64) (string, bool, error) {
	comp, err := c.cat.Component(ctx, procedureCode, id)
	if err != nil {
		return "", false, err
	}
	return comp.Name, comp.Active, nil
}
