package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/motcua/motcua/cmd/internal/loadgen"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/worktime"
)

// apiClient talks to one server over loopback.
type apiClient struct {
	base string
	hc   *http.Client
}

// newTransport returns a keep-alive transport that holds up to conns
// connections to one host.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
}

func newAPIClient(base string, conns int, timeout time.Duration) *apiClient {
	return &apiClient{base: base, hc: &http.Client{Transport: newTransport(conns), Timeout: timeout}}
}

// close drops the client's idle connections.
func (a *apiClient) close() { a.hc.CloseIdleConnections() }

// statusError is an answer with an unexpected status.
type statusError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// do sends one request and decodes a JSON answer into out (when not nil)
// if the status is want; any other status is a *statusError.
func (a *apiClient) do(ctx context.Context, method, path, token string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return &statusError{Method: method, Path: redactQuery(path), Status: resp.StatusCode, Body: string(b)}
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// redactQuery drops the query of path (it may carry a pin).
func redactQuery(path string) string {
	if u, err := url.Parse(path); err == nil {
		u.RawQuery = ""
		return u.String()
	}
	return path
}

// login returns a bearer token for username.
func (a *apiClient) login(ctx context.Context, username, password string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := a.do(ctx, http.MethodPost, "/api/v1/auth/login", "",
		map[string]string{"username": username, "password": password}, http.StatusOK, &out)
	if err != nil {
		return "", fmt.Errorf("login %s: %w", username, err)
	}
	return out.AccessToken, nil
}

// loadWorld reads the catalogue the server holds: agencies and active
// procedures. Its calendar is the official one (loadgen.OfficialCalendar):
// the server the bench starts, over a new database, holds no other.
func (a *apiClient) loadWorld(ctx context.Context, token string, loc *time.Location) (*loadgen.World, error) {
	cal, err := loadgen.OfficialCalendar(loc)
	if err != nil {
		return nil, err
	}
	w := &loadgen.World{Loc: loc, Cal: cal, Agencies: map[string]loadgen.Agency{}, Procs: map[string]loadgen.Procedure{}}
	for page := 1; page <= 100; page++ {
		var out struct {
			Items []struct {
				Code       string             `json:"code"`
				Name       string             `json:"name"`
				Kind       catalog.AgencyKind `json:"kind"`
				ParentCode *string            `json:"parent_code"`
				Closed     bool               `json:"closed"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := a.do(ctx, http.MethodGet, "/api/v1/agencies?page_size=500&page="+strconv.Itoa(page), token, nil, http.StatusOK, &out); err != nil {
			return nil, fmt.Errorf("list agencies: %w", err)
		}
		for _, it := range out.Items {
			ag := loadgen.Agency{Code: it.Code, Name: it.Name, Kind: it.Kind, Closed: it.Closed}
			if it.ParentCode != nil {
				ag.Parent = *it.ParentCode
			}
			w.Agencies[it.Code] = ag
		}
		if len(out.Items) == 0 || page*500 >= out.Total {
			break
		}
	}
	var procs []loadgen.Procedure
	for page := 1; page <= 100; page++ {
		var out struct {
			Items []struct {
				Code           string        `json:"code"`
				Name           string        `json:"name"`
				AgencyCode     string        `json:"agency_code"`
				Level          catalog.Level `json:"level"`
				OnSpotEligible bool          `json:"on_spot_eligible"`
				Status         string        `json:"status"`
				ProcessingTime struct {
					Value int           `json:"value"`
					Unit  worktime.Unit `json:"unit"`
				} `json:"processing_time"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := a.do(ctx, http.MethodGet, "/api/v1/procedures?page_size=500&page="+strconv.Itoa(page), token, nil, http.StatusOK, &out); err != nil {
			return nil, fmt.Errorf("list procedures: %w", err)
		}
		for _, it := range out.Items {
			p := loadgen.Procedure{Code: it.Code, Name: it.Name, Agency: it.AgencyCode, Level: it.Level, Value: it.ProcessingTime.Value,
				Unit: it.ProcessingTime.Unit, OnSpotOK: it.OnSpotEligible}
			w.Procs[p.Code] = p
			if ag, ok := w.Agencies[p.Agency]; it.Status == "active" && ok && !ag.Closed {
				procs = append(procs, p)
			}
		}
		if len(out.Items) == 0 || page*500 >= out.Total {
			break
		}
	}
	if len(w.Agencies) == 0 || len(procs) == 0 {
		return nil, fmt.Errorf("the server has no agencies or procedures (was it started with --demo?)")
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i].Code < procs[j].Code })
	w.BuildDesks(procs)
	return w, nil
}
