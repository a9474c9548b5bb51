package open311

import (
	"bytes"
	"encoding/xml"

	"github.com/gin-gonic/gin"
)

// format is a resource's suffix.
type format string

const (
	formatJSON format = "json"
	formatXML  format = "xml"
)

// xmlDeclaration starts every XML answer.
const xmlDeclaration = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

// writeXML answers v as XML after the declaration. The structs below
// cannot fail to encode; should one, the answer is Open311's 500.
func writeXML(c *gin.Context, status int, v any) {
	var b bytes.Buffer
	b.WriteString(xmlDeclaration)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		c.Data(500, "text/xml; charset=utf-8", []byte(xmlDeclaration+
			"<errors><error><code>500</code><description>"+internalMessage+"</description></error></errors>\n"))
		return
	}
	b.WriteByte('\n')
	c.Data(status, "text/xml; charset=utf-8", b.Bytes())
}

// Discovery (Open311 Service Discovery).

type discoveryJSON struct {
	Changeset  string         `json:"changeset"`
	Contact    string         `json:"contact"`
	KeyService string         `json:"key_service"`
	Endpoints  []endpointJSON `json:"endpoints"`
}

type endpointJSON struct {
	Specification string   `json:"specification"`
	URL           string   `json:"url"`
	Changeset     string   `json:"changeset"`
	Type          string   `json:"type"`
	Formats       []string `json:"formats"`
}

type discoveryXML struct {
	XMLName    xml.Name      `xml:"discovery"`
	Changeset  string        `xml:"changeset"`
	Contact    string        `xml:"contact"`
	KeyService string        `xml:"key_service"`
	Endpoints  []endpointXML `xml:"endpoints>endpoint"`
}

type endpointXML struct {
	Specification string   `xml:"specification"`
	URL           string   `xml:"url"`
	Changeset     string   `xml:"changeset"`
	Type          string   `xml:"type"`
	Formats       []string `xml:"formats>format"`
}

// Services.

type serviceJSON struct {
	ServiceCode string `json:"service_code"`
	ServiceName string `json:"service_name"`
	Description string `json:"description"`
	Metadata    bool   `json:"metadata"`
	Type        string `json:"type"`
	Keywords    string `json:"keywords"`
	Group       string `json:"group"`
}

type servicesXML struct {
	XMLName  xml.Name     `xml:"services"`
	Services []serviceXML `xml:"service"`
}

type serviceXML struct {
	ServiceCode string `xml:"service_code"`
	ServiceName string `xml:"service_name"`
	Description string `xml:"description"`
	Metadata    bool   `xml:"metadata"`
	Type        string `xml:"type"`
	Keywords    string `xml:"keywords"`
	Group       string `xml:"group"`
}

// Service definitions.

type definitionJSON struct {
	ServiceCode string          `json:"service_code"`
	Attributes  []attributeJSON `json:"attributes"`
}

type attributeJSON struct {
	Variable            bool   `json:"variable"`
	Code                string `json:"code"`
	Datatype            string `json:"datatype"`
	Required            bool   `json:"required"`
	DatatypeDescription string `json:"datatype_description"`
	Order               int    `json:"order"`
	Description         string `json:"description"`
}

type definitionXML struct {
	XMLName     xml.Name       `xml:"service_definition"`
	ServiceCode string         `xml:"service_code"`
	Attributes  []attributeXML `xml:"attributes>attribute"`
}

type attributeXML struct {
	Variable            bool   `xml:"variable"`
	Code                string `xml:"code"`
	Datatype            string `xml:"datatype"`
	Required            bool   `xml:"required"`
	DatatypeDescription string `xml:"datatype_description"`
	Order               int    `xml:"order"`
	Description         string `xml:"description"`
}

// A submission's answer.

type createdJSON struct {
	ServiceRequestID string  `json:"service_request_id"`
	ServiceNotice    string  `json:"service_notice"`
	AccountID        *string `json:"account_id"`
}

type createdListXML struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []createdXML `xml:"request"`
}

type createdXML struct {
	ServiceRequestID string `xml:"service_request_id"`
	ServiceNotice    string `xml:"service_notice"`
	AccountID        string `xml:"account_id"`
}

// Service requests (published feedback). Null in JSON is an empty element
// in XML.

type requestJSON struct {
	ServiceRequestID  string  `json:"service_request_id"`
	Status            string  `json:"status"`
	StatusNotes       string  `json:"status_notes"`
	ServiceName       string  `json:"service_name"`
	ServiceCode       string  `json:"service_code"`
	Description       string  `json:"description"`
	AgencyResponsible *string `json:"agency_responsible"`
	ServiceNotice     *string `json:"service_notice"`
	RequestedDatetime string  `json:"requested_datetime"`
	UpdatedDatetime   string  `json:"updated_datetime"`
	ExpectedDatetime  string  `json:"expected_datetime"`
	Address           *string `json:"address"`
	AddressID         *string `json:"address_id"`
	Zipcode           *string `json:"zipcode"`
	Lat               *string `json:"lat"`
	Long              *string `json:"long"`
	MediaURL          *string `json:"media_url"`
}

type requestsXML struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []requestXML `xml:"request"`
}

type requestXML struct {
	ServiceRequestID  string `xml:"service_request_id"`
	Status            string `xml:"status"`
	StatusNotes       string `xml:"status_notes"`
	ServiceName       string `xml:"service_name"`
	ServiceCode       string `xml:"service_code"`
	Description       string `xml:"description"`
	AgencyResponsible string `xml:"agency_responsible"`
	ServiceNotice     string `xml:"service_notice"`
	RequestedDatetime string `xml:"requested_datetime"`
	UpdatedDatetime   string `xml:"updated_datetime"`
	ExpectedDatetime  string `xml:"expected_datetime"`
	Address           string `xml:"address"`
	AddressID         string `xml:"address_id"`
	Zipcode           string `xml:"zipcode"`
	Lat               string `xml:"lat"`
	Long              string `xml:"long"`
	MediaURL          string `xml:"media_url"`
}

func (r requestJSON) asXML() requestXML {
	return requestXML{ServiceRequestID: r.ServiceRequestID, Status: r.Status, StatusNotes: r.StatusNotes,
		ServiceName: r.ServiceName, ServiceCode: r.ServiceCode, Description: r.Description,
		AgencyResponsible: deref(r.AgencyResponsible), RequestedDatetime: r.RequestedDatetime,
		UpdatedDatetime: r.UpdatedDatetime, ExpectedDatetime: r.ExpectedDatetime}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
